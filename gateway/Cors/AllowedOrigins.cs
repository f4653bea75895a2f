using Microsoft.Extensions.Options;

namespace Gateway.Cors;

/// <summary>
/// The configured origins, parsed once. A preflight carries no credentials (Fetch §4.8), so it is answered
/// for an origin any tenant (or the global list) allows; the request itself, once its credentials name a
/// tenant, only for that tenant's origins and the global ones.
/// </summary>
internal sealed class AllowedOrigins
{
    private readonly OriginPattern[] _global;
    private readonly Dictionary<string, OriginPattern[]> _byTenant = new(StringComparer.Ordinal);

    public AllowedOrigins(IOptions<GatewayCorsOptions> options)
    {
        _global = Parse(options.Value.Cors.AllowedOrigins);
        foreach (var (tenant, section) in options.Value.Tenants)
        {
            _byTenant[tenant] = Parse(section.Cors.AllowedOrigins);
        }
    }

    /// <summary>Allowed for some tenant: what a preflight, or a request whose credentials failed, is answered for.</summary>
    public bool AnyTenantAllows(string origin) => Allows(_global, origin) || _byTenant.Values.Any(list => Allows(list, origin));

    public bool TenantAllows(string tenant, string origin) =>
        Allows(_global, origin) || (_byTenant.TryGetValue(tenant, out var list) && Allows(list, origin));

    private static bool Allows(OriginPattern[] patterns, string origin) => patterns.Any(p => p.Matches(origin));

    private static OriginPattern[] Parse(IEnumerable<string> entries) =>
        [.. entries.Select(e => OriginPattern.TryParse(e, out _) ?? throw new OptionsValidationException(GatewayCorsOptions.Section, typeof(GatewayCorsOptions), [$"bad origin {e}"]))];
}
