using System.ComponentModel.DataAnnotations;

namespace Gateway.Backends;

/// <summary><c>Gateway:Backends:&lt;name&gt;</c>: one storage backend, reached through a YARP cluster.</summary>
internal sealed class BackendOptions
{
    /// <summary><c>sandbox</c> or <c>box</c>: which dialect the backend speaks.</summary>
    public string Type { get; set; } = "";

    /// <summary>The <c>ReverseProxy:Clusters</c> entry with the backend's destinations and HTTP client settings.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>The sandbox API key, or the Box access token. Sent only to the backend; never logged or returned.</summary>
    public string Credential { get; set; } = "";

    /// <summary>Parts of one session in flight at this backend at most (the tenant's limit is capped by it).</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Smallest upload the backend takes; Box chunked uploads start at 20 MB (Box's chunked upload guide, https://developer.box.com/guides/uploads/chunked/).</summary>
    [Range(0, long.MaxValue)]
    public long? MinUploadBytes { get; set; }

    /// <summary>Staging bytes one sandbox may hold reserved across its live sessions (sandbox backends; 0: no gateway-side limit).</summary>
    [Range(0, long.MaxValue)]
    public long SandboxStagingQuotaBytes { get; set; }

    /// <summary>Timeout of one control-plane call (create, complete, abort).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>The <c>Gateway</c> section's backends, by name.</summary>
internal sealed class BackendCatalogOptions
{
    public const string Section = "Gateway";

    public Dictionary<string, BackendOptions> Backends { get; set; } = new(StringComparer.Ordinal);
}
