namespace Gateway.Cors;

/// <summary>
/// <c>Gateway:Cors</c> and each tenant's <c>Gateway:Tenants:&lt;name&gt;:Cors</c>, bound from the <c>Gateway</c>
/// section beside the tenant catalog (which ignores the keys it does not know), so CORS needs nothing from Auth's options.
/// </summary>
internal sealed class GatewayCorsOptions
{
    public const string Section = "Gateway";

    public CorsSettings Cors { get; set; } = new();

    public Dictionary<string, TenantCorsSection> Tenants { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class CorsSettings
{
    /// <summary>Origins every tenant's pages may call from: exact (<c>https://app.example.com</c>) or a host pattern (<c>https://*.example.com</c>).</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// How long a browser may cache a preflight (<c>Access-Control-Max-Age</c>). Chromium caps it at 2 hours,
    /// Firefox at 24; tusd sends a day. At least 10 minutes, so a resumable upload's PATCHes do not each wait for one.
    /// </summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromHours(2);
}

internal sealed class TenantCorsSection
{
    public TenantCors Cors { get; set; } = new();
}

internal sealed class TenantCors
{
    /// <summary>More origins for this tenant's credentials only, in the same forms as <c>Gateway:Cors:AllowedOrigins</c>.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
