using System.Text.Json.Serialization;

namespace Gateway.Sessions;

/// <summary>How the stores serialize sessions and results: source-generated, snake_case like the contract.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UploadSession))]
[JsonSerializable(typeof(SessionResult))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
