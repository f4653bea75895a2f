using System.Globalization;
using UploadGateway.Client;

namespace UploadGateway.Cli.Output;

/// <summary>Human-readable numbers and names.</summary>
internal static class Format
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Bytes(double bytes)
    {
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes:0} B" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {Units[unit]}");
    }

    public static string Duration(TimeSpan? span) => span switch
    {
        null => "?",
        { TotalHours: >= 1 } s => string.Create(CultureInfo.InvariantCulture, $"{(int)s.TotalHours}h{s.Minutes:00}m"),
        { TotalMinutes: >= 1 } s => string.Create(CultureInfo.InvariantCulture, $"{s.Minutes}m{s.Seconds:00}s"),
        var s => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(s.Value.TotalSeconds)}s"),
    };

    public static string Percent(long part, long whole) =>
        whole <= 0 ? "100%" : string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(100.0 * part / whole)}%");

    /// <summary><c>sandbox sb_1:/workspace/a</c>, <c>box folder 0/a.bin</c>, <c>box file 123</c>.</summary>
    public static string Target(UploadTarget target) => target switch
    {
        { SandboxId: { } sandbox } => $"{sandbox}:{target.Path}" + (target.User is { } user ? $" (user {user})" : ""),
        { FileId: { } file } => $"file {file}" + (target.FileName is { } name ? $" as {name}" : ""),
        { FolderId: { } folder } => $"folder {folder}/{target.FileName}",
        _ => "?",
    };

    public static string Result(UploadSession session) => session.Result switch
    {
        null => session.Status,
        { FileId: { } file } r => $"box file {file}" + (r.Sha1 is { } sha1 ? $", sha1 {sha1}" : "") + (r.Size is { } size ? $", {size} bytes" : ""),
        { Path: { } path } r => $"{session.Target.SandboxId}:{path}, {r.Size} bytes" + (r.FileCount is { } count && session.Kind == UploadKinds.DirectoryTar ? $", {count} files" : ""),
        _ => session.Status,
    };

    public static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
