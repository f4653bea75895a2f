using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Telemetry;

/// <summary>The gateway's own ActivitySource and Meter, both named "Gateway".</summary>
internal static class GatewayTelemetry
{
    public const string Name = "Gateway";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);
}
