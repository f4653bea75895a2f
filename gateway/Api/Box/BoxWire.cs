using System.Text.Json.Serialization;

namespace Gateway.Api.Box;

// Box's JSON shapes for chunked uploads (the UploadSession, UploadPart, UploadParts and Files schemas), snake_case.

internal sealed record BoxUploadSession(
    string Id,
    string Type,
    string SessionExpiresAt,
    long PartSize,
    int TotalParts,
    int NumPartsProcessed,
    BoxSessionEndpoints SessionEndpoints);

/// <summary>Absolute URLs on the gateway's public address: upload_part = abort = status = the session's URL.</summary>
internal sealed record BoxSessionEndpoints(string UploadPart, string Commit, string Abort, string ListParts, string Status, string LogEvent);

internal sealed record BoxUploadPart(string PartId, long Offset, long Size, string Sha1);

/// <summary>The part answer keeps the <c>part</c> wrapper the spec gives and the SDKs read.</summary>
internal sealed record BoxUploadedPart(BoxUploadPart Part);

internal sealed record BoxUploadParts(long TotalCount, long Limit, long Offset, IReadOnlyList<BoxPartsOrder> Order, IReadOnlyList<BoxUploadPart> Entries);

internal sealed record BoxPartsOrder(string By, string Direction);

/// <summary>What commit answers: the file in a one-entry list.</summary>
internal sealed record BoxFiles(long TotalCount, IReadOnlyList<BoxFile> Entries);

internal sealed record BoxFile(
    string Id,
    string Type,
    string Name,
    long Size,
    string? Sha1,
    BoxFolderMini? Parent,
    string CreatedAt,
    string ModifiedAt,
    string ItemStatus);

internal sealed record BoxFolderMini(string Type, string Id);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BoxUploadSession))]
[JsonSerializable(typeof(BoxUploadedPart))]
[JsonSerializable(typeof(BoxUploadParts))]
[JsonSerializable(typeof(BoxFiles))]
internal sealed partial class BoxWireJsonContext : JsonSerializerContext;
