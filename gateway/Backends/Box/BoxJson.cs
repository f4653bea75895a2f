using System.Text.Json.Serialization;

namespace Gateway.Backends.Box;

/// <summary><c>POST /files/upload_sessions</c> (Box: https://developer.box.com/reference/post-files-upload-sessions/).</summary>
internal sealed record BoxCreateBody(string FolderId, long FileSize, string FileName);

/// <summary><c>POST /files/{file_id}/upload_sessions</c> (Box: https://developer.box.com/reference/post-files-id-upload-sessions/).</summary>
internal sealed record BoxNewVersionBody(long FileSize, string? FileName);

/// <summary><c>POST …/commit</c>: the parts as Box acknowledged them (Box: https://developer.box.com/reference/post-files-upload-sessions-id-commit/).</summary>
internal sealed record BoxCommitBody(IReadOnlyList<BoxPart> Parts);

internal sealed record BoxPart(string PartId, long Offset, long Size, string Sha1);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BoxCreateBody))]
[JsonSerializable(typeof(BoxNewVersionBody))]
[JsonSerializable(typeof(BoxCommitBody))]
internal sealed partial class BoxJsonContext : JsonSerializerContext;

/// <summary>
/// Box's answer to creating an upload session
/// (https://developer.box.com/reference/resources/upload-session/): its id, part size, part count, expiry and
/// the URLs to use for it.
/// </summary>
internal sealed record BoxSessionAnswer
{
    public required string Id { get; init; }

    public required long PartSize { get; init; }

    public required int TotalParts { get; init; }

    public required DateTimeOffset SessionExpiresAt { get; init; }

    public required BoxSessionEndpoints SessionEndpoints { get; init; }
}

internal sealed record BoxSessionEndpoints
{
    public required string UploadPart { get; init; }

    public required string Commit { get; init; }

    public required string Abort { get; init; }

    public required string ListParts { get; init; }

    public required string Status { get; init; }
}

/// <summary>A part as Box reports it (https://developer.box.com/reference/resources/upload-part/).</summary>
internal sealed record BoxPartAnswer
{
    public required string PartId { get; init; }

    public required long Offset { get; init; }

    public required long Size { get; init; }

    public required string Sha1 { get; init; }
}

/// <summary>Box's answer to one uploaded part.</summary>
internal sealed record BoxUploadedPartAnswer
{
    public required BoxPartAnswer Part { get; init; }
}

/// <summary>A page of Box's parts list.</summary>
internal sealed record BoxPartsAnswer
{
    public required IReadOnlyList<BoxPartAnswer> Entries { get; init; }
}

/// <summary>Box's answer to commit: the file, as a one-entry list.</summary>
internal sealed record BoxCommitAnswer
{
    public required IReadOnlyList<BoxFileAnswer> Entries { get; init; }
}

internal sealed record BoxFileAnswer
{
    public required string Id { get; init; }

    public string? Sha1 { get; init; }

    public long? Size { get; init; }
}

/// <summary>Box's answers, read with every member the gateway needs required and non-null.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(BoxSessionAnswer))]
[JsonSerializable(typeof(BoxUploadedPartAnswer))]
[JsonSerializable(typeof(BoxPartsAnswer))]
[JsonSerializable(typeof(BoxCommitAnswer))]
internal sealed partial class BoxAnswerJsonContext : JsonSerializerContext;
