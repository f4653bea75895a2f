namespace Gateway.Cors;

/// <summary>
/// What each front's browser clients send and must read, by path prefix. A preflight asks for a method and
/// request headers; the browser lets the page read only the CORS-safelisted response headers plus those exposed
/// here (Fetch standard §3.2.6), so a header a client depends on and not listed is a client that cannot work.
/// <c>WWW-Authenticate</c> on all: a page holding an upload token learns from <c>error="invalid_token"</c> to ask for a new one.
/// </summary>
internal static class FrontCorsProfiles
{
    /// <summary>tus 1.0 (tus.io protocol; tus-js-client and Uppy read these; tusd exposes the same list).</summary>
    public static readonly FrontCorsProfile Tus = new(
        "/tus",
        ["POST", "HEAD", "PATCH", "DELETE", "OPTIONS"],
        ["Authorization", "Content-Type", "Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata", "Upload-Concat",
            "Upload-Defer-Length", "Upload-Checksum", "X-HTTP-Method-Override", "X-Requested-With"],
        ["Location", "Upload-Offset", "Upload-Length", "Upload-Metadata", "Upload-Expires", "Upload-Concat", "Upload-Defer-Length",
            "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm", "Retry-After", "WWW-Authenticate"]);

    /// <summary>Box's chunked upload API (a part's <c>Content-Range</c> and <c>Digest</c>; a pending commit's <c>Retry-After</c>).</summary>
    public static readonly FrontCorsProfile Box = new(
        "/box/api",
        ["GET", "POST", "PUT", "DELETE"],
        ["Authorization", "Content-Type", "Content-Range", "Digest", "If-Match", "If-None-Match"],
        ["Retry-After", "Location", "ETag", "WWW-Authenticate"]);

    /// <summary>The v1 contract, the upload-token API and everything else under <c>/v1</c>.</summary>
    public static readonly FrontCorsProfile V1 = new(
        "/v1",
        ["GET", "POST", "PUT", "DELETE"],
        ["Authorization", "Content-Type", "Content-Digest", "Idempotency-Key"],
        ["Location", "Retry-After", "WWW-Authenticate"]);

    private static readonly FrontCorsProfile[] All = [Tus, Box, V1];

    /// <summary>The profile of the front at <paramref name="path"/>; null off the fronts (health, dashboard, OpenAPI): no CORS there.</summary>
    public static FrontCorsProfile? For(PathString path) => All.FirstOrDefault(p => path.StartsWithSegments(p.Prefix));
}

internal sealed record FrontCorsProfile(string Prefix, string[] Methods, string[] RequestHeaders, string[] ExposedHeaders);
