using Gateway.Hosting;
using Gateway.Tests.Support;
using TestSupport;

namespace Gateway.Tests.Rechunking;

/// <summary><c>Gateway:Rechunking</c> at start-up: the keys that moved there from the tus front stop the gateway, naming their new place.</summary>
public sealed class RechunkingOptionsTests
{
    [Theory]
    [InlineData("Gateway:Tus:StagingDirectory", "/var/lib/gateway/tus")]
    [InlineData("Gateway:Tus:SweepInterval", "00:05:00")]
    public async Task A_key_at_its_old_place_under_the_tus_front_stops_start_up_naming_the_new_one(string key, string value)
    {
        await using var system = await GatewayHarness.StartAsync();
        var settings = new Dictionary<string, string?>(system.GatewaySettings) { [key] = value };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), settings));

        var name = key[(key.LastIndexOf(':') + 1)..];
        Assert.Contains($"{key} has moved to Gateway:Rechunking:{name}", failure.ToString(), StringComparison.Ordinal);
    }
}
