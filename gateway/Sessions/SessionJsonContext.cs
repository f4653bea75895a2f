using System.Text.Json.Serialization;

namespace Gateway.Sessions;

/// <summary>
/// How the Redis store serializes the few values it keeps as JSON (a result, quota scopes): source-generated,
/// snake_case.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SessionResult))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
