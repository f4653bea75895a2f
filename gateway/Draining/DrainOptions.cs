using System.ComponentModel.DataAnnotations;

namespace Gateway.Draining;

/// <summary>
/// <c>Gateway:Drain</c>: what an instance does between SIGTERM and its exit (docs/deploy.md, upgrades). The
/// process's whole shutdown allowance is <see cref="Delay"/> + <see cref="Limit"/> + <see cref="HandOver"/>;
/// an orchestrator's grace period (Kubernetes' <c>terminationGracePeriodSeconds</c>, compose's
/// <c>stop_grace_period</c>) must be at least that, or it kills the instance mid-drain.
/// </summary>
internal sealed class DrainOptions
{
    public const string Section = "Gateway:Drain";

    /// <summary>
    /// How long the instance keeps serving every request, new ones included, after <c>/readyz</c> turned 503:
    /// the time load balancers take to see it and stop sending (a few probe periods).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long requests still in flight after the delay (parts, tus PATCHes) may take to finish; past it they
    /// are cut, and a part that was cut is not counted, so its client sends it again elsewhere.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Limit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed after the requests for the rest of the shutdown: leases released, webhook shards handed over.</summary>
    public static readonly TimeSpan HandOver = TimeSpan.FromSeconds(10);

    public TimeSpan ShutdownTimeout => Delay + Limit + HandOver;
}
