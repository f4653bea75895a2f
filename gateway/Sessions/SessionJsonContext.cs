using System.Text.Json.Serialization;

namespace Gateway.Sessions;

/// <summary>
/// How the Redis store serializes what it keeps as JSON (a result, quota scopes) and reads the
/// whole-session documents of the layout before <c>Redis/SessionHash.cs</c>: source-generated, snake_case.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UploadSession))]
[JsonSerializable(typeof(SessionResult))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
