using System.Text.Json.Serialization;

namespace Gateway.Backends.Box;

/// <summary><c>POST /files/upload_sessions</c> (FACTS.md, operation 1).</summary>
internal sealed record BoxCreateBody(string FolderId, long FileSize, string FileName);

/// <summary><c>POST /files/{file_id}/upload_sessions</c> (FACTS.md, operation 2).</summary>
internal sealed record BoxNewVersionBody(long FileSize, string? FileName);

/// <summary><c>POST …/commit</c>: the parts as Box acknowledged them (FACTS.md, operation 7).</summary>
internal sealed record BoxCommitBody(IReadOnlyList<BoxPart> Parts);

internal sealed record BoxPart(string PartId, long Offset, long Size, string Sha1);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BoxCreateBody))]
[JsonSerializable(typeof(BoxNewVersionBody))]
[JsonSerializable(typeof(BoxCommitBody))]
internal sealed partial class BoxJsonContext : JsonSerializerContext;
