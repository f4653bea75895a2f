using System.Net.Http.Headers;
using MockBox.Errors;
using MockBox.Http;
using MockCommon;

namespace MockBox.Auth;

/// <summary>
/// Box's auth (README.md "Hosts, auth, URLs"): every API call carries <c>Authorization: Bearer &lt;token&gt;</c>.
/// A missing or unknown token is a 401 in Box's error envelope, with the RFC 6750 challenge Box sends in
/// <c>WWW-Authenticate</c> (no <c>error</c> attribute when no credentials came, §3.1). The mock-only
/// <c>/_mock/</c> surface is not Box's and needs no token.
/// </summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, AccessTokens tokens, ILogger<BearerTokenMiddleware> logger)
{
    private const string Realm = "Bearer realm=\"Service\"";
    private const string InvalidToken = Realm + ", error=\"invalid_token\", error_description=\"The access token provided is invalid.\"";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(MockSurfaceExtensions.Prefix))
        {
            return next(context);
        }
        var token = BearerToken(context.Request.Headers.Authorization.ToString());
        if (token is null)
        {
            Log.TokenRejected(logger, "missing", context.Request.Method, context.Request.Path);
            return RejectAsync(context, Realm);
        }
        if (tokens.Find(token) is not { } user)
        {
            Log.TokenRejected(logger, "unknown", context.Request.Method, context.Request.Path);
            return RejectAsync(context, InvalidToken);
        }
        context.Features.Set(user);
        return next(context);
    }

    private static string? BearerToken(string header) =>
        AuthenticationHeaderValue.TryParse(header, out var value)
        && string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
        && !string.IsNullOrWhiteSpace(value.Parameter)
            ? value.Parameter.Trim()
            : null;

    private static Task RejectAsync(HttpContext context, string challenge)
    {
        context.Response.Headers[BoxHeaders.WwwAuthenticate] = challenge;
        return BoxErrors.Unauthorized().ExecuteAsync(context);
    }
}

internal static class BoxUserHttpContextExtensions
{
    /// <summary>The authenticated user; set by <see cref="BearerTokenMiddleware"/> for every Box route.</summary>
    public static BoxUser BoxUser(this HttpContext context) =>
        context.Features.Get<BoxUser>() ?? throw new InvalidOperationException("BearerTokenMiddleware must run before Box endpoints.");
}
