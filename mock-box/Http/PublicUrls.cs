using Microsoft.Extensions.Options;
using MockBox.Configuration;

namespace MockBox.Http;

/// <summary>
/// Absolute URLs the mock hands out (<c>session_endpoints</c>). README.md: real clients refuse relative
/// ones and follow them as given, so behind a proxy they come from <c>MockBox:PublicBaseUrl</c>;
/// otherwise from the request's own scheme and host.
/// </summary>
internal sealed class PublicUrls(IOptions<MockBoxOptions> options)
{
    /// <summary>The upload host's path prefix (README.md "Hosts": <c>/api/2.0</c>, not the API host's <c>/2.0</c>).</summary>
    public const string UploadApiPrefix = "/api/2.0";

    private readonly string? _configured = string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl)
        ? null
        : options.Value.PublicBaseUrl.TrimEnd('/');

    public string BaseUrl(HttpRequest request) =>
        _configured ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    public string UploadSession(HttpRequest request, string sessionId) =>
        $"{BaseUrl(request)}{UploadApiPrefix}/files/upload_sessions/{sessionId}";
}
