using System.Text.Json.Serialization;
using Gateway.Sessions;

namespace Gateway.Api.V1;

/// <summary><c>POST /v1/upload-tokens</c>.</summary>
internal sealed record MintTokenRequest
{
    public string? Backend { get; init; }

    /// <summary>A create's target (exact), or a prefix in the backend's own terms: sandbox <c>{sandbox_id, path_prefix}</c>, Box <c>{folder_id}</c>.</summary>
    public UploadTarget? Target { get; init; }

    public long? MaxBytes { get; init; }

    /// <summary>Seconds; cut to <c>Gateway:UploadTokens:MaxLifetime</c>.</summary>
    public long? ExpiresIn { get; init; }

    public int? MaxUploads { get; init; }

    public string? Conflict { get; init; }
}

internal sealed record TokenScopeBody(string Backend, UploadTarget Target, bool Prefix, long MaxBytes, int? MaxUploads, string Conflict);

internal sealed record MintTokenResponse(string Token, string TokenId, DateTimeOffset ExpiresAt, TokenScopeBody Scope);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(MintTokenRequest))]
[JsonSerializable(typeof(MintTokenResponse))]
internal sealed partial class UploadTokenJsonContext : JsonSerializerContext;
