using System.ComponentModel.DataAnnotations;

namespace Gateway.Auth;

/// <summary><c>Gateway:Tenants:&lt;name&gt;</c>.</summary>
internal sealed class TenantOptions
{
    /// <summary>Lowercase hex SHA-256 of each API key the tenant may use (<c>printf %s KEY | sha256sum</c>); the keys themselves are never stored.</summary>
    public List<string> ApiKeyHashes { get; set; } = [];

    /// <summary>Backends (by name) the tenant may create sessions on.</summary>
    public List<string> Backends { get; set; } = [];

    /// <summary>
    /// Which targets the tenant may write to, by rule: each key is one a backend type declares
    /// (<c>SandboxIds</c>, <c>PathPrefixes</c>, <c>BoxFolderIds</c>, …) and means what that backend says. An
    /// empty list allows any value; a non-empty one allows only those (path prefixes match whole segments:
    /// <c>/workspace/in</c> allows <c>/workspace/in/a</c>, not <c>/workspace/inbox</c>).
    /// </summary>
    public Dictionary<string, List<string>> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Says, on purpose, that this tenant may write anywhere its backends' credentials reach, even where another
    /// tenant shares the credential. Without it, a tenant that shares a backend credential with another tenant
    /// must have <see cref="Targets"/> rules for that backend type, or the gateway refuses to start.
    /// </summary>
    public bool AnyTarget { get; set; }

    public TenantLimits Limits { get; set; } = new();

    /// <summary>May call the operational endpoints (<c>/v1/admin/…</c>).</summary>
    public bool Admin { get; set; }
}

/// <summary>The limits of the contract (README.md), per tenant, with their defaults.</summary>
internal sealed class TenantLimits
{
    /// <summary>Largest session (<c>content_length</c>).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024 * 1024;

    /// <summary>Largest part, and the body limit of part routes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPartBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Parts of one session in flight at once.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Bytes reserved by the tenant's live sessions at once (reserved at create, released when a session ends).</summary>
    [Range(0, long.MaxValue)]
    public long StagingQuotaBytes { get; set; } = 200L * 1024 * 1024 * 1024;

    /// <summary>Sessions not yet ended at once; null takes <c>Gateway:Limits:MaxLiveSessions</c>, 0 means no cap.</summary>
    [Range(0, 10_000_000)]
    public int? MaxLiveSessions { get; set; }

    /// <summary>tus partial uploads (not yet concatenated) at once; null takes <c>Gateway:Limits:MaxPartialUploads</c>, 0 means no cap.</summary>
    [Range(0, 10_000_000)]
    public int? MaxPartialUploads { get; set; }

    /// <summary>Requests per second (token bucket refill) and burst, across all the tenant's requests.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 200;

    [Range(1, 1_000_000)]
    public int RequestBurst { get; set; } = 400;

    /// <summary>How long a session may stay open before it expires (capped by the backend's own expiry).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>The <c>Gateway</c> section's tenants, by name.</summary>
internal sealed class TenantCatalogOptions
{
    public const string Section = "Gateway";

    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.Ordinal);
}
