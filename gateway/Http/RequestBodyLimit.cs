using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Http;

/// <summary>A route's own request body limit, in place of the server's default (Kestrel's 30 MB cuts parts, and is far too much for JSON).</summary>
internal static class RequestBodyLimit
{
    /// <summary>
    /// Sets this request's body limit to <paramref name="bytes"/>, where the server lets it: a server without the
    /// feature, or a body already being read (the limit is then read-only), keeps the limit it has.
    /// </summary>
    public static void SetBodyLimit(this HttpContext context, long bytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = bytes;
        }
    }
}
