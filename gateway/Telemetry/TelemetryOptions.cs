using System.ComponentModel.DataAnnotations;

namespace Gateway.Telemetry;

/// <summary><c>Gateway:Telemetry</c>: what the gateway observes about itself beyond what each request records.</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Gateway:Telemetry";

    /// <summary>
    /// Shortest time between two health probes (store reachable, backends reachable, live sessions counted). A
    /// probe runs only when a metrics reader asks for the gauges, so a gateway nobody watches sends no probes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many of this instance's latest problem responses the admin view keeps.</summary>
    [Range(1, 1000)]
    public int RecentErrors { get; set; } = 50;
}
