using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Uploads;

/// <summary>
/// What a front asks for when it creates a session, already decoded from its wire (v1 JSON, tus metadata, …);
/// the lifecycle checks it against the tenant, the backend and the limits.
/// </summary>
/// <param name="Target">Null when the front was given none: the lifecycle refuses it as <c>invalid_target</c>.</param>
/// <param name="Checksum">Whole-object digests the client knows up front (hex; checked here).</param>
/// <param name="Metadata">The front's free-form metadata (tus <c>Upload-Metadata</c>), for the pre-create hook; null when its wire has none.</param>
internal sealed record CreateUpload(string Backend, UploadTarget? Target, string Kind, string Conflict, long ContentLength, WholeChecksums? Checksum,
    IReadOnlyDictionary<string, string>? Metadata = null);
