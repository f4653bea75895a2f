using System.Collections.Frozen;

namespace Gateway.Admin;

/// <summary>
/// <c>/dashboard</c>: a small page (HTML, script and style embedded in the gateway, nothing from a CDN) that
/// shows every live upload with a progress bar, the throughput and this instance's recent errors, updating by
/// polling <c>GET /v1/admin/uploads</c>. The page itself holds no data, so it is served without credentials;
/// its script asks the operator for an admin API key, keeps it in <c>sessionStorage</c> (gone with the tab)
/// and sends it only to that endpoint.
/// </summary>
internal static class DashboardPage
{
    public const string Path = "/dashboard";

    /// <summary>Only the page's own script and style; no inline code, no framing, no other origin (the data: image is the empty favicon).</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (byte[] Content, string Type)> Files = new Dictionary<string, (byte[], string)>
    {
        [Path] = (Load("dashboard.html"), "text/html; charset=utf-8"),
        [Path + "/dashboard.js"] = (Load("dashboard.js"), "text/javascript; charset=utf-8"),
        [Path + "/dashboard.css"] = (Load("dashboard.css"), "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static void MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, file) in Files)
        {
            endpoints.MapGet(path, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
                return TypedResults.Bytes(file.Content, file.Type);
            }).AllowAnonymous();
        }
    }

    /// <summary>The files are embedded by Gateway.csproj; a build without them fails at start-up, not on first request.</summary>
    private static byte[] Load(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("Gateway.Admin.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in the gateway.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
