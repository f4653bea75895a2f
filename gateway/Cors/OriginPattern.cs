namespace Gateway.Cors;

/// <summary>
/// One allowed origin (RFC 6454 §6.2 serialization: <c>scheme://host[:port]</c>, no path), exact or with a
/// leading <c>*.</c> label in the host that stands for one or more labels: <c>https://*.example.com</c> allows
/// <c>https://a.example.com</c> and <c>https://a.b.example.com</c>, not <c>https://example.com</c> nor
/// <c>http://a.example.com</c>. Comparison is ordinal and case-insensitive, as browsers lowercase scheme and host.
/// </summary>
internal sealed class OriginPattern
{
    private readonly string _scheme;
    private readonly string _hostSuffix;
    private readonly string _port;
    private readonly bool _wildcard;

    private OriginPattern(string scheme, string host, string port, bool wildcard)
    {
        (_scheme, _port, _wildcard) = (scheme, port, wildcard);
        _hostSuffix = wildcard ? host[1..] : host;
    }

    /// <summary>Parses <paramref name="text"/>; null with a reason when it is not an origin or an origin pattern.</summary>
    public static OriginPattern? TryParse(string? text, out string? error)
    {
        error = null;
        var value = text?.Trim().ToLowerInvariant() ?? "";
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = "is not an origin (scheme://host[:port])";
            return null;
        }
        var scheme = value[..schemeEnd];
        if (scheme is not ("http" or "https"))
        {
            error = "must use http or https";
            return null;
        }
        var authority = value[(schemeEnd + 3)..];
        if (authority.Length == 0 || authority.IndexOfAny(['/', '?', '#', '@']) >= 0)
        {
            error = "may have no path, query, fragment or user (an origin is scheme://host[:port])";
            return null;
        }
        var wildcard = authority.StartsWith("*.", StringComparison.Ordinal);
        var probe = wildcard ? "x" + authority[1..] : authority;
        if (probe.Contains('*') || !Uri.TryCreate($"{scheme}://{probe}", UriKind.Absolute, out var uri) || uri.IdnHost.Length == 0)
        {
            error = "is not a valid origin; a pattern may only start its host with *.";
            return null;
        }
        var host = wildcard ? "*" + uri.IdnHost[1..] : uri.IdnHost;
        var port = uri.IsDefaultPort && !authority.EndsWith(":" + uri.Port, StringComparison.Ordinal) ? "" : uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (wildcard && host.Count(c => c == '.') < 2)
        {
            // *.com would allow every site under a public suffix: never what an operator means.
            error = "is a pattern over a top-level domain; name at least two labels after *.";
            return null;
        }
        return new OriginPattern(scheme, host, port, wildcard);
    }

    /// <summary>Whether a request's <c>Origin</c> header is allowed by this entry.</summary>
    public bool Matches(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Query.Length > 0
            || !string.Equals(uri.Scheme, _scheme, StringComparison.Ordinal))
        {
            return false;
        }
        var port = uri.IsDefaultPort ? "" : uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var defaultPort = _scheme == "https" ? "443" : "80";
        if (port != _port && !(port.Length == 0 && _port == defaultPort))
        {
            return false;
        }
        var host = uri.IdnHost;
        return _wildcard
            ? host.Length > _hostSuffix.Length && host.EndsWith(_hostSuffix, StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, _hostSuffix, StringComparison.OrdinalIgnoreCase);
    }
}
