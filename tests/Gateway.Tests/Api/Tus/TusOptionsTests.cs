using Gateway.Tests.Support;

namespace Gateway.Tests.Api.Tus;

/// <summary>The tenants' tus defaults are checked at start-up: a bad one stops the gateway with a sentence naming the key.</summary>
public sealed class TusOptionsTests
{
    [Theory]
    [InlineData("Backend", "nope", "Gateway:Tenants:acme:Tus:Backend")]
    [InlineData("Target:directory", "relative/dir", "Gateway:Tenants:acme:Tus:Target:directory must be an absolute path")]
    [InlineData("Target:folder_id", "0", "Gateway:Tenants:acme:Tus:Target:folder_id does not apply to a sandbox backend")]
    [InlineData("Target:sandbox_id", "sandbox-1", "Gateway:Tenants:acme:Tus:Target:sandbox_id must look like sb_")]
    [InlineData("Conflict", "overwrite", "Gateway:Tenants:acme:Tus:Conflict")]
    [InlineData("SandboxId", "sb_old", "Gateway:Tenants:acme:Tus:SandboxId is the old place of a target key")]
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
