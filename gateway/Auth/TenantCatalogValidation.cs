using System.Text.RegularExpressions;
using Gateway.Backends;
using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Auth;

/// <summary>Start-up checks of <c>Gateway:Tenants</c>, each failure a sentence an operator can act on.</summary>
internal sealed partial class TenantCatalogValidation(IOptions<BackendCatalogOptions> backends, IOptions<JwtOptions> jwt, BackendTypes types) : IValidateOptions<TenantCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantCatalogOptions options)
    {
        var failures = new List<string>();
        if (options.Tenants.Count == 0)
        {
            failures.Add("Gateway:Tenants is empty: configure at least one tenant with ApiKeyHashes (or JWT settings).");
        }
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (tenant, settings) in options.Tenants)
        {
            var at = $"Gateway:Tenants:{tenant}";
            if (settings.ApiKeyHashes.Count == 0 && !jwt.Value.Enabled)
            {
                failures.Add($"{at} has no ApiKeyHashes and JWT is not configured ({JwtOptions.Section}): nobody could use it.");
            }
            foreach (var hash in settings.ApiKeyHashes)
            {
                if (!Sha256Hex().IsMatch(hash))
                {
                    failures.Add($"{at}:ApiKeyHashes has '{hash}', which is not a SHA-256 in hex (64 hex digits): store `printf %s KEY | sha256sum`, never the key.");
                }
                else if (seen.TryGetValue(hash, out var other) && other != tenant)
                {
                    failures.Add($"{at}:ApiKeyHashes shares a key with tenant '{other}'.");
                }
                seen[hash] = tenant;
            }
            foreach (var rule in settings.Targets.Keys.Where(k => !types.RuleKeys.Contains(k, StringComparer.OrdinalIgnoreCase)))
            {
                failures.Add($"{at}:Targets:{rule} is not a target rule of any backend type; they are {string.Join(", ", types.RuleKeys)}.");
            }
            foreach (var backend in settings.Backends.Where(b => !backends.Value.Backends.ContainsKey(b)))
            {
                failures.Add($"{at}:Backends names '{backend}', which is not configured under Gateway:Backends.");
            }
            failures.AddRange(DataAnnotations.Validate(settings.Limits, $"{at}:Limits"));
        }
        failures.AddRange(UnrestrictedSharing(options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Deny by default where tenants share a backend credential: with no target rules for that backend type,
    /// one tenant could replace another's files (a sandbox path, a Box file's new version). Each such tenant needs
    /// rules, or <c>AnyTarget: true</c> to say it may write anywhere.
    /// </summary>
    private IEnumerable<string> UnrestrictedSharing(TenantCatalogOptions options)
    {
        var sharing = options.Tenants
            .SelectMany(t => t.Value.Backends.Where(backends.Value.Backends.ContainsKey).Select(b => (Tenant: t.Key, Settings: t.Value, Backend: b)))
            .GroupBy(u => backends.Value.Backends[u.Backend].Credential, StringComparer.Ordinal)
            .Where(g => g.Select(u => u.Tenant).Distinct(StringComparer.Ordinal).Count() > 1);
        foreach (var group in sharing)
        {
            var tenants = group.Select(u => u.Tenant).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var (tenant, settings, backend) in group)
            {
                var type = backends.Value.Backends[backend].Type;
                var rules = types.TryGet(type, out var backendType) ? backendType.Targets.RuleKeys : [];
                if (!settings.AnyTarget && !rules.Any(r => settings.Targets.TryGetValue(r, out var values) && values.Count > 0))
                {
                    yield return $"Gateway:Tenants:{tenant} shares the credential of backend '{backend}' with {string.Join(", ", tenants.Where(t => t != tenant).Select(t => $"'{t}'"))} "
                        + $"but has no target rules for it ({string.Join(", ", rules)}): it could overwrite their files. Add Targets, or set AnyTarget: true to allow that on purpose.";
                }
            }
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
