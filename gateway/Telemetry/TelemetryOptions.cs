using System.ComponentModel.DataAnnotations;

namespace Gateway.Telemetry;

/// <summary><c>Gateway:Telemetry</c>: what the gateway observes about itself beyond what each request records.</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Gateway:Telemetry";

    /// <summary>
    /// Time between two runs of the health checks (the store and every backend, as <c>/readyz</c> checks them)
    /// whose results feed the <c>gateway.store.up</c>, <c>gateway.backend.up</c> and <c>gateway.sessions.active</c> gauges.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many of this instance's latest problem responses the admin view keeps.</summary>
    [Range(1, 1000)]
    public int RecentErrors { get; set; } = 50;

    /// <summary>
    /// Whether every Redis command is a span (OpenTelemetry.Instrumentation.StackExchangeRedis), under the store
    /// call that sent it. The gateway's own <c>store …</c> spans are there either way; this adds the commands
    /// (name only, never keys or arguments) at a cost per command the benchmark measures.
    /// </summary>
    public bool RedisInstrumentation { get; set; } = true;
}
