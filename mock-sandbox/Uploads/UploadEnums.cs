using System.Reflection;
using System.Text.Json.Serialization;

namespace MockSandbox.Uploads;

// The status object's enums, spelled exactly as the seed lists them [seed].

[JsonConverter(typeof(JsonStringEnumConverter<UploadKind>))]
internal enum UploadKind
{
    [JsonStringEnumMemberName("file")] File,
    [JsonStringEnumMemberName("directory_tar")] DirectoryTar,
}

[JsonConverter(typeof(JsonStringEnumConverter<SourceKind>))]
internal enum SourceKind
{
    [JsonStringEnumMemberName("restartable_file")] RestartableFile,
    [JsonStringEnumMemberName("spooled_stream")] SpooledStream,
    [JsonStringEnumMemberName("directory_archive")] DirectoryArchive,
}

[JsonConverter(typeof(JsonStringEnumConverter<UploadStatus>))]
internal enum UploadStatus
{
    [JsonStringEnumMemberName("created")] Created,
    [JsonStringEnumMemberName("uploading")] Uploading,
    [JsonStringEnumMemberName("staged")] Staged,
    [JsonStringEnumMemberName("completing")] Completing,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("aborted")] Aborted,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("failed")] Failed,
}

[JsonConverter(typeof(JsonStringEnumConverter<ConflictPolicy>))]
internal enum ConflictPolicy
{
    [JsonStringEnumMemberName("merge")] Merge,
    [JsonStringEnumMemberName("replace")] Replace,
    [JsonStringEnumMemberName("error")] Error,
}

[JsonConverter(typeof(JsonStringEnumConverter<ChecksumAlgorithm>))]
internal enum ChecksumAlgorithm
{
    [JsonStringEnumMemberName("sha256")] Sha256,
}

[JsonConverter(typeof(JsonStringEnumConverter<ArchiveFormat>))]
internal enum ArchiveFormat
{
    [JsonStringEnumMemberName("tar")] Tar,
}

/// <summary>
/// The wire names of an enum, read from its <see cref="JsonStringEnumMemberNameAttribute"/>s so requests
/// are parsed with the same spelling responses are written with — exactly, without the case-insensitive
/// and numeric forms <see cref="JsonStringEnumConverter"/> would also accept.
/// </summary>
internal static class WireNames<T>
    where T : struct, Enum
{
    private static readonly Dictionary<string, T> s_values = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToDictionary(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name, f => (T)f.GetValue(null)!, StringComparer.Ordinal);

    public static IEnumerable<string> Names => s_values.Keys;

    public static string List => string.Join(", ", s_values.Keys);

    public static bool TryParse(string? name, out T value) => s_values.TryGetValue(name ?? "", out value);

    public static string NameOf(T value) => s_values.First(pair => EqualityComparer<T>.Default.Equals(pair.Value, value)).Key;
}
