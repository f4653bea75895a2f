using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gateway.Auth;

/// <summary>
/// The configured tenants, looked up by name or by API key. Keys are held only as SHA-256 hashes: a key is
/// hashed on arrival and the hash looked up, so no configuration file or memory dump reveals one.
/// </summary>
internal sealed class TenantDirectory
{
    private readonly Dictionary<string, Tenant> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tenant> _byKeyHash = new(StringComparer.Ordinal);

    public TenantDirectory(IOptions<TenantCatalogOptions> options)
    {
        foreach (var (name, tenant) in options.Value.Tenants)
        {
            var resolved = new Tenant(name, tenant.Limits, [.. tenant.Backends], new Dictionary<string, List<string>>(tenant.Targets, StringComparer.OrdinalIgnoreCase), tenant.Admin);
            _byName[name] = resolved;
            foreach (var hash in tenant.ApiKeyHashes)
            {
                _byKeyHash[hash.ToLowerInvariant()] = resolved;
            }
        }
    }

    public bool TryGet(string name, out Tenant tenant) => _byName.TryGetValue(name, out tenant!);

    public bool TryFindByApiKey(string apiKey, out Tenant tenant) => _byKeyHash.TryGetValue(Hash(apiKey), out tenant!);

    /// <summary>What <c>Gateway:Tenants:*:ApiKeyHashes</c> holds for a key: lowercase hex SHA-256 of its UTF-8 bytes.</summary>
    public static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
}
