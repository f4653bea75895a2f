using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.UploadTokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UploadGateway.Contract;

namespace Gateway.Api.V1;

/// <summary>
/// Upload tokens (README.md, "Browser uploads"): an app's server, holding the tenant's key, mints a short-lived
/// token for one user's upload and hands it to the page; <c>DELETE</c> revokes it on every instance.
/// </summary>
internal static class UploadTokensApi
{
    public static RouteGroupBuilder MapUploadTokensApiV1(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/v1/upload-tokens");
        api.MapPost("", MintAsync).WithSummary("Mint an upload token scoped to one backend and target (or prefix)")
            .WithMetadata(new RequestBody(typeof(MintTokenRequest), "application/json")).Problems([401, 403, 400, 422, 429, 503]);
        api.MapDelete("/{tokenId}", RevokeAsync).WithSummary("Revoke an upload token, on every instance").Problems([401, 403, 404, 429, 503]);
        return api;
    }

    private static async Task<IResult> MintAsync(Tenant tenant, HttpContext context, BackendRegistry backends, IUploadTokenStore store,
        IOptions<UploadTokenOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        RefuseUnlessMinter(tenant, options.Value);
        var request = (await JsonBodies.ReadAsync(context, UploadTokenJsonContext.Default.MintTokenRequest, optional: false))!;
        if (string.IsNullOrEmpty(request.Backend) || !tenant.MayUse(request.Backend) || !backends.TryGet(request.Backend, out var backend))
        {
            throw new GatewayException(ErrorCode.UnknownBackend, "backend must name a backend this tenant may use: GET /v1/backends lists them.");
        }
        if (request.MaxBytes is not { } maxBytes || maxBytes < 0)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "max_bytes is required: the largest upload the token allows, in bytes.");
        }
        if (maxBytes > tenant.Limits.MaxUploadBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"max_bytes {maxBytes} is over this tenant's max_upload_bytes {tenant.Limits.MaxUploadBytes}.");
        }
        if (request.MaxUploads is < 1)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "max_uploads must be at least 1 (leave it out for no limit).");
        }
        if (request.ExpiresIn is < 1)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "expires_in is in seconds and must be at least 1.");
        }
        var conflict = request.Conflict ?? ContractValues.Conflicts.Error;
        if (!backend.Rules.Conflicts.Contains(conflict))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"Backend '{backend.Name}' takes conflict {string.Join(", ", backend.Rules.Conflicts)}.");
        }
        var (scope, isPrefix) = Scope(request.Target, backend, conflict, tenant);

        var settings = options.Value.UploadTokens;
        var lifetime = request.ExpiresIn is { } seconds ? TimeSpan.FromSeconds(Math.Min(seconds, (long)settings.MaxLifetime.TotalSeconds)) : settings.DefaultLifetime;
        var (tokenId, token, secretHash) = UploadTokenFormat.New();
        var expiresAt = time.GetUtcNow() + lifetime;
        var grant = new UploadGrant(tokenId, tenant.Name, backend.Name, scope, isPrefix, maxBytes, request.MaxUploads, conflict, expiresAt);
        await store.SaveAsync(grant, secretHash);
        Gateway.UploadTokens.Log.Minted(loggers.CreateLogger("Gateway.UploadTokens"), tokenId, tenant.Name, backend.Name, maxBytes, expiresAt);

        context.Response.Headers.CacheControl = "no-store";
        var body = new TokenScopeBody(backend.Name, scope, isPrefix, maxBytes, request.MaxUploads, conflict);
        return TypedResults.Json(new MintTokenResponse(token, tokenId, expiresAt, body), UploadTokenJsonContext.Default.MintTokenResponse,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<NoContent> RevokeAsync(string tokenId, Tenant tenant, IUploadTokenStore store, IOptions<UploadTokenOptions> options, ILoggerFactory loggers)
    {
        RefuseUnlessMinter(tenant, options.Value);
        if (!UploadTokenFormat.IsTokenId(tokenId) || !await store.RevokeAsync(tenant.Name, tokenId))
        {
            throw new GatewayException(ErrorCode.NotFound with { Title = "No such upload token" }, $"No upload token {(UploadTokenFormat.IsTokenId(tokenId) ? tokenId : "with that id")}.");
        }
        Gateway.UploadTokens.Log.Revoked(loggers.CreateLogger("Gateway.UploadTokens"), tokenId, tenant.Name);
        return TypedResults.NoContent();
    }

    private static void RefuseUnlessMinter(Tenant tenant, UploadTokenOptions options)
    {
        if (tenant.UploadToken is not null || !options.MayMint(tenant.Name))
        {
            throw new GatewayException(ErrorCode.Forbidden,
                "Minting and revoking upload tokens needs the tenant's own credentials and Gateway:Tenants:<name>:UploadTokens:Mint.");
        }
    }

    /// <summary>
    /// The token's scope, normalized as a create's target would be: a prefix by the backend's own rules (its
    /// path normalized: no <c>..</c>, <c>//</c> or <c>.</c> escapes); anything else as an exact target, through the
    /// backend's target check and the tenant's target rules.
    /// </summary>
    private static (UploadTarget Scope, bool IsPrefix) Scope(UploadTarget? target, IUploadBackend backend, string conflict, Tenant tenant)
    {
        if (target is null)
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target is required: a create's target, or a prefix ({sandbox_id, path_prefix} or {folder_id}).");
        }
        if (backend.Targets.Prefix(target) is { } prefix)
        {
            return (prefix, true);
        }
        var exact = backend.Targets.Validate(target, ContractValues.Kinds.File, conflict);
        TargetPolicy.Check(tenant, backend.Targets, exact);
        return (exact, false);
    }
}
