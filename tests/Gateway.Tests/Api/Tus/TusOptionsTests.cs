using Gateway.Tests.Support;

namespace Gateway.Tests.Api.Tus;

/// <summary>The tenants' tus defaults are checked at start-up: a bad one stops the gateway with a sentence naming the key.</summary>
public sealed class TusOptionsTests
{
    [Theory]
    [InlineData("Backend", "nope", "Gateway:Tenants:acme:Tus:Backend")]
    [InlineData("Directory", "relative/dir", "Gateway:Tenants:acme:Tus:Directory")]
    [InlineData("FolderId", "0", "Gateway:Tenants:acme:Tus:FolderId")]
    [InlineData("Conflict", "overwrite", "Gateway:Tenants:acme:Tus:Conflict")]
    public async Task A_bad_tenant_default_stops_the_gateway_at_start_up(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await GatewayHarness.StartAsync(gateway: s =>
            {
                TusSettings.Apply(s);
                s["Gateway:Tenants:acme:Tus:" + key] = value;
            });
        });
        Assert.Contains(named, error.ToString());
    }
}
