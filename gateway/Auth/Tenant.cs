namespace Gateway.Auth;

/// <summary>
/// The caller, resolved from its credentials: a tenant of <c>Gateway:Tenants</c>. Sessions belong to the
/// tenant that created them; another tenant gets 404 for them (README.md, auth).
/// </summary>
internal sealed record Tenant(string Name, TenantLimits Limits, IReadOnlyList<string> Backends, IReadOnlyDictionary<string, List<string>> Targets, bool IsAdmin)
{
    public bool MayUse(string backend) => Backends.Contains(backend, StringComparer.Ordinal);

    /// <summary>Minimal-API parameter binding: the authenticated caller's tenant.</summary>
    public static ValueTask<Tenant?> BindAsync(HttpContext context) => ValueTask.FromResult<Tenant?>(TenantResolution.Resolve(context));
}
