using System.Text.Json.Serialization;

namespace Gateway.Api.V1;

/// <summary><c>POST /v1/upload-tokens</c>.</summary>
internal sealed record MintTokenRequest
{
    public string? Backend { get; init; }

    public TokenTargetBody? Target { get; init; }

    public long? MaxBytes { get; init; }

    /// <summary>Seconds; cut to <c>Gateway:UploadTokens:MaxLifetime</c>.</summary>
    public long? ExpiresIn { get; init; }

    public int? MaxUploads { get; init; }

    public string? Conflict { get; init; }
}

/// <summary>A create's target (exact), or a prefix: <c>{sandbox_id, path_prefix}</c> or <c>{folder_id}</c>.</summary>
internal sealed record TokenTargetBody
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SandboxId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PathPrefix { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FolderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FileName { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FileId { get; init; }
}

internal sealed record TokenScopeBody(string Backend, TokenTargetBody Target, bool Prefix, long MaxBytes, int? MaxUploads, string Conflict);

internal sealed record MintTokenResponse(string Token, string TokenId, DateTimeOffset ExpiresAt, TokenScopeBody Scope);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(MintTokenRequest))]
[JsonSerializable(typeof(MintTokenResponse))]
internal sealed partial class UploadTokenJsonContext : JsonSerializerContext;
