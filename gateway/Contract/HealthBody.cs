using System.Text.Json.Serialization;

namespace Gateway.Contract;

/// <summary>The body of <c>/healthz</c> and <c>/readyz</c>.</summary>
internal sealed record HealthBody(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Checks = null);

/// <summary>The health endpoints' JSON, source-generated, snake_case like the v1 contract.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class ContractJsonContext : JsonSerializerContext;
