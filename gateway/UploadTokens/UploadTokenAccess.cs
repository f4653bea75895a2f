using Gateway.Domain;
using Microsoft.AspNetCore.Authorization;

namespace Gateway.UploadTokens;

/// <summary>
/// What an upload token's holder may do besides creating, on every front alike: act on a session it created
/// (any other id is 404, as another tenant's would be) and nothing else (listing, minting, admin: 403). A
/// route's <c>{id}</c> is a session id on every front; a POST without one is a create, which the lifecycle holds
/// to the token's scope (<see cref="UploadTokenAdmission"/>); endpoints that want more refuse tokens themselves.
/// </summary>
internal static class UploadTokenAccess
{
    private const string PartialUploadHeader = "Upload-Concat";

    public static IApplicationBuilder UseUploadTokenAccess(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var tokenId = context.User.FindFirst(UploadTokenAuthenticationHandler.TokenIdClaim)?.Value;
        var endpoint = context.GetEndpoint();
        if (tokenId is null || endpoint?.Metadata.GetMetadata<IAuthorizeData>() is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }
        if (context.Request.RouteValues["id"] is string id)
        {
            var store = context.RequestServices.GetRequiredService<IUploadTokenStore>();
            if (!await store.HasSessionAsync(tokenId, id))
            {
                throw new GatewayException(ErrorCode.NotFound, $"No upload {id}.");
            }
        }
        else if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw new GatewayException(ErrorCode.Forbidden, "An upload token may create uploads and use the ones it created; nothing else.");
        }
        else if (context.Request.Headers.ContainsKey(PartialUploadHeader))
        {
            // tus partial uploads are staged by the tus front outside the lifecycle, so no scope would hold them,
            // and the token could never reach them again: refused rather than left as orphans.
            throw new GatewayException(ErrorCode.Forbidden, "An upload token may not create tus partial uploads (Upload-Concat); upload the file in one upload.");
        }
        await next(context);
    });
}
