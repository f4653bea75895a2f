using System.Text.Json.Serialization;

namespace Gateway.Api.V1;

/// <summary>
/// The contract's JSON: snake_case, source-generated. Unknown members are refused rather than ignored, so a
/// misspelt field (<c>"conflcit"</c>) is an <c>invalid_request</c> instead of a silent default.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(CreateUploadRequest))]
[JsonSerializable(typeof(CompleteRequest))]
[JsonSerializable(typeof(SessionBody))]
[JsonSerializable(typeof(PartBody))]
[JsonSerializable(typeof(PartsPage))]
[JsonSerializable(typeof(UploadsPage))]
[JsonSerializable(typeof(BackendsBody))]
internal sealed partial class V1JsonContext : JsonSerializerContext;
