namespace MockBox.Sessions;

// Box's JSON shapes for chunked uploads (README.md "Schemas"; snake_case through BoxJsonContext).

internal sealed record UploadSessionResource(
    string Id,
    string Type,
    string SessionExpiresAt,
    long PartSize,
    int TotalParts,
    int NumPartsProcessed,
    SessionEndpointsResource SessionEndpoints);

/// <summary>README.md: upload_part = abort = status = the session URL; commit, list_parts and log_event below it.</summary>
internal sealed record SessionEndpointsResource(
    string UploadPart,
    string Commit,
    string Abort,
    string ListParts,
    string Status,
    string LogEvent);

internal sealed record UploadPartResource(string PartId, long Offset, long Size, string Sha1);

/// <summary>The part response keeps the <c>part</c> wrapper (README.md: the spec wraps it; the SDK relies on it).</summary>
internal sealed record UploadedPartResource(UploadPartResource Part);

internal sealed record UploadPartsResource(
    long TotalCount,
    long Limit,
    long Offset,
    IReadOnlyList<PartsOrderResource> Order,
    IReadOnlyList<UploadPartResource> Entries);

internal sealed record PartsOrderResource(string By, string Direction);
