using System.ComponentModel.DataAnnotations;

namespace Gateway.Backends;

/// <summary><c>Gateway:Backends:&lt;name&gt;</c>: one storage backend, reached through a YARP cluster.</summary>
internal sealed class BackendOptions
{
    /// <summary>A registered backend type (<c>sandbox</c>, <c>box</c>, …): which plugin speaks to the backend.</summary>
    public string Type { get; set; } = "";

    /// <summary>The <c>ReverseProxy:Clusters</c> entry with the backend's destinations and HTTP client settings.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>The backend's API key or access token. Sent only to the backend; never logged or returned.</summary>
    public string Credential { get; set; } = "";

    /// <summary>Parts of one session in flight at this backend at most (the tenant's limit is capped by it).</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Smallest upload the backend takes; unset: the backend type's own minimum.</summary>
    [Range(0, long.MaxValue)]
    public long? MinUploadBytes { get; set; }

    /// <summary>
    /// Control-plane calls (create, complete, abort) one instance has in flight at this backend at most. More wait
    /// in a queue of <see cref="ControlPlaneQueue"/>, oldest first, so that a burst of creates waits its turn
    /// rather than fails.
    /// </summary>
    [Range(1, 100_000)]
    public int ControlPlaneConcurrency { get; set; } = 1_000;

    /// <summary>
    /// Control-plane calls waiting for one of <see cref="ControlPlaneConcurrency"/> at most; beyond, a call is
    /// refused at once: 503 <c>backend_unavailable</c> with <c>Retry-After</c>. 0: no queue.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ControlPlaneQueue { get; set; } = 20_000;

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
