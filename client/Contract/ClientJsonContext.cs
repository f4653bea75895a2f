using System.Text.Json.Serialization;

namespace UploadGateway.Client;

/// <summary><c>GET /v1/uploads/{id}/parts</c>: one page.</summary>
internal sealed record PartsPage(IReadOnlyList<PartInfo> Parts, int? NextAfter);

/// <summary><c>GET /v1/backends</c>.</summary>
internal sealed record BackendsBody(IReadOnlyList<BackendInfo> Backends);

/// <summary><c>POST /v1/uploads/{id}/complete</c>.</summary>
internal sealed record CompleteRequest(WholeChecksums? Checksum);

/// <summary>An RFC 9457 problem in the contract's shape; <c>missing_parts</c> comes with <c>parts_missing</c>.</summary>
internal sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Code,
    string? UploadId,
    string? TraceId,
    string? MissingParts);

/// <summary>
/// The contract's JSON: snake_case, source-generated (no reflection, trimming-safe). Unknown members are
/// ignored so that a newer gateway adding fields does not break this client; nulls are left out of requests
/// because the gateway refuses fields that do not apply to a backend type.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateUploadRequest))]
[JsonSerializable(typeof(CompleteRequest))]
[JsonSerializable(typeof(UploadSession))]
[JsonSerializable(typeof(PartReceipt))]
[JsonSerializable(typeof(PartsPage))]
[JsonSerializable(typeof(UploadsPage))]
[JsonSerializable(typeof(BackendsBody))]
[JsonSerializable(typeof(IReadOnlyList<BackendInfo>))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
