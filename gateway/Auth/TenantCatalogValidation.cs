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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
