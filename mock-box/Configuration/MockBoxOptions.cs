namespace MockBox.Configuration;

/// <summary>
/// Configuration section <c>MockBox</c>. Bound once and validated at start-up, so a bad value stops the
/// process with a clear message instead of producing a mock that quietly behaves unlike Box.
/// </summary>
internal sealed class MockBoxOptions
{
    public const string SectionName = "MockBox";

    /// <summary>Largest part size Box's own limits allow a client to send in one request (README.md gives none; 4 GiB keeps sizes sane).</summary>
    public const long MaxPartSize = 4L * 1024 * 1024 * 1024;

    /// <summary>Bearer tokens the mock accepts; each token is one user (sessions belong to the token that created them).</summary>
    public List<string> AccessTokens { get; set; } = [];

    /// <summary>Serves the mock-only <c>/_mock/</c> surface (faults, folders, settings, reset). Off: those paths are 404.</summary>
    public bool TestMode { get; set; }

    /// <summary>Where part and file bytes live. Empty: a fresh temp folder, deleted on shutdown.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Scheme, host and optional path prefix for <c>session_endpoints</c>. Empty: the request's own scheme and host.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>README.md: Box's examples use 8388608; the mock grows it so total_parts stays within 10,000.</summary>
    public long PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>README.md: "20MB" without saying which; 20,000,000 is the smaller reading.</summary>
    public long MinFileSize { get; set; } = 20_000_000;

    /// <summary>README.md: sessions live 7 days.</summary>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many <c>202 Accepted</c> + <c>Retry-After</c> answers each session's commit gets before it succeeds.</summary>
    public int CommitAcceptedResponses { get; set; }

    public static bool HasAccessToken(MockBoxOptions options) =>
        options.AccessTokens.Any(token => !string.IsNullOrWhiteSpace(token));

    public static bool HasUsablePublicBaseUrl(MockBoxOptions options) =>
        string.IsNullOrWhiteSpace(options.PublicBaseUrl)
        || (Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment));
}
