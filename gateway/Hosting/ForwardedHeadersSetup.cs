using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// <c>Gateway:ForwardedHeaders</c>: the proxies whose <c>X-Forwarded-For/-Proto/-Host</c> the gateway believes, so
/// the URLs it hands out (the Box front's <c>session_endpoints</c>) name its public address behind a proxy. Only
/// these proxies are believed; by default that is loopback alone (the framework's default), so a client that
/// reaches the gateway directly cannot make it hand out another host.
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    public const string Section = "Gateway:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (e.g. <c>10.0.0.5</c>); empty with no networks: loopback only.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (e.g. <c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Hosts a forwarded <c>X-Forwarded-Host</c> may name (e.g. <c>uploads.example.com</c>, <c>*.example.com</c>); empty: any.</summary>
    public List<string> AllowedHosts { get; set; } = [];
}

internal static class ForwardedHeadersSetup
{
    public static IServiceCollection AddGatewayForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.Section)
            .Validate(s => s.KnownProxies.All(p => IPAddress.TryParse(p, out _)), $"{ForwardedHeadersSettings.Section}:KnownProxies must list IP addresses.")
            .Validate(s => s.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), $"{ForwardedHeadersSettings.Section}:KnownNetworks must list networks in CIDR notation (10.0.0.0/8).")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((options, settings) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            var s = settings.Value;
            if (s.KnownProxies.Count > 0 || s.KnownNetworks.Count > 0)
            {
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                s.KnownProxies.ForEach(p => options.KnownProxies.Add(IPAddress.Parse(p)));
                s.KnownNetworks.ForEach(n => options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
            }
            s.AllowedHosts.ForEach(options.AllowedHosts.Add);
        });
        return services;
    }
}
