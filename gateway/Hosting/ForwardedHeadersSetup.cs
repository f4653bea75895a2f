using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// <c>Gateway:ForwardedHeaders</c>: the gateway's public address, for the absolute URLs it hands out (the Box
/// front's <c>session_endpoints</c>, which a client then follows with its token). <see cref="PublicBaseUrl"/> when
/// set; otherwise the request's scheme and host, where <c>X-Forwarded-Proto/-Host/-For</c> are believed only from
/// the proxies configured here. By default none is (not even loopback: a same-host proxy may pass a client's
/// header through), and the <c>Host</c> header itself is checked against the framework's <c>AllowedHosts</c>.
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    public const string Section = "Gateway:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (e.g. <c>10.0.0.5</c>, <c>127.0.0.1</c> for a proxy on the same host); empty with no networks: none.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (e.g. <c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Hosts a forwarded <c>X-Forwarded-Host</c> may name (e.g. <c>uploads.example.com</c>, <c>*.example.com</c>); empty: any.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// The address clients reach the gateway at (e.g. <c>https://uploads.example.com</c>, with a path prefix if the
    /// proxy adds one): every absolute URL the fronts hand out starts with it, whatever the request's headers say.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}

internal static class ForwardedHeadersSetup
{
    public static IServiceCollection AddGatewayForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.Section)
            .Validate(s => s.KnownProxies.All(p => IPAddress.TryParse(p, out _)), $"{ForwardedHeadersSettings.Section}:KnownProxies must list IP addresses.")
            .Validate(s => s.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), $"{ForwardedHeadersSettings.Section}:KnownNetworks must list networks in CIDR notation (10.0.0.0/8).")
            .Validate(s => s.PublicBaseUrl is null || (s.PublicBaseUrl.IsAbsoluteUri && s.PublicBaseUrl.Scheme is "https" or "http"
                && string.IsNullOrEmpty(s.PublicBaseUrl.Query) && string.IsNullOrEmpty(s.PublicBaseUrl.Fragment)),
                $"{ForwardedHeadersSettings.Section}:PublicBaseUrl must be an absolute http(s) URL without query or fragment.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((options, settings) =>
        {
            var s = settings.Value;
            // The framework trusts loopback by default, and every address when both lists are empty; here only
            // what is configured, and with nothing configured no forwarded header is read at all.
            options.ForwardedHeaders = s.KnownProxies.Count > 0 || s.KnownNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost
                : ForwardedHeaders.None;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            s.KnownProxies.ForEach(p => options.KnownProxies.Add(IPAddress.Parse(p)));
            s.KnownNetworks.ForEach(n => options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
            s.AllowedHosts.ForEach(options.AllowedHosts.Add);
        });
        return services;
    }
}

/// <summary>The one rule for the gateway's own absolute URLs (see <see cref="ForwardedHeadersSettings"/>).</summary>
internal static class PublicAddress
{
    /// <summary><c>scheme://host[/prefix]</c>, without a trailing slash.</summary>
    public static string Of(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.PublicBaseUrl is { } configured
            ? configured.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}";
}
