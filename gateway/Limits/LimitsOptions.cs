using System.ComponentModel.DataAnnotations;

namespace Gateway.Limits;

/// <summary>
/// <c>Gateway:Limits</c>: the deployment's defaults for what one tenant may hold at once, which each tenant may
/// override (<c>Gateway:Tenants:&lt;name&gt;:Limits</c>), and the staging quota's floor (issue 23, finding 1: without
/// them, a tenant could grow Redis and the staging disk without bound while its quota was charged almost nothing).
/// </summary>
internal sealed class LimitsOptions
{
    public const string Section = "Gateway:Limits";

    /// <summary>Sessions of one tenant not yet ended (completed, aborted, failed or expired) at once; 0: no cap.</summary>
    [Range(0, 10_000_000)]
    public int MaxLiveSessions { get; set; } = 10_000;

    /// <summary>tus partial uploads of one tenant (<c>Upload-Concat: partial</c>) not yet concatenated at once; 0: no cap.</summary>
    [Range(0, 10_000_000)]
    public int MaxPartialUploads { get; set; } = 1_000;

    /// <summary>
    /// What a session costs beyond its metadata whatever its size (a staging folder and its files' inodes, the
    /// session's keys in Redis): a session is charged at least its metadata plus this against the staging quota.
    /// </summary>
    [Range(0, 1024 * 1024)]
    public int SessionOverheadBytes { get; set; } = 4096;
}
