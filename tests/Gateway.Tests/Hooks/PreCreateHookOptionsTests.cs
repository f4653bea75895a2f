using Gateway.Tests.Support;

namespace Gateway.Tests.Hooks;

/// <summary><c>Gateway:Hooks:PreCreate</c> is checked at start-up: a bad or half-made hook stops the gateway with a sentence naming the key.</summary>
public sealed class PreCreateHookOptionsTests
{
    private const string At = "Gateway:Hooks:PreCreate";

    [Theory]
    [InlineData("Url", "not a url", At + ":Url must be an absolute http or https URL")]
    [InlineData("Url", "ftp://hooks.example/approve", At + ":Url must be an absolute http or https URL")]
    [InlineData("Url", "https://user:pass@hooks.example/approve", At + ":Url may not carry a user name or password")]
    [InlineData("Secret", "", At + ":Secret must be whsec_")]
    [InlineData("Secret", "hunter2", At + ":Secret must be whsec_")]
    [InlineData("Secret", "whsec_c2hvcnQ=", At + ":Secret must be whsec_")]
    [InlineData("Secret", "whsec_***not base64***", At + ":Secret must be whsec_")]
    [InlineData("Timeout", "00:00:00", At + ":Timeout must be more than zero")]
    [InlineData("Timeout", "-00:00:01", At + ":Timeout must be more than zero")]
    [InlineData("Timeout", "00:05:00", At + ":Timeout must be more than zero and at most")]
    [InlineData("Tenants:0", "nobody", At + ":Tenants names 'nobody', which is not configured under Gateway:Tenants")]
    public async Task A_bad_hook_setting_stops_the_gateway_at_start_up(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await GatewayHarness.StartAsync(gateway: s =>
            {
                s[$"{At}:Url"] = "http://127.0.0.1:9/approve";
                s[$"{At}:Secret"] = HookReceiver.Secret;
                s[$"{At}:{key}"] = value;
            });
        });
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(HookReceiver.Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Secret")]
    [InlineData("Tenants:0")]
    public async Task A_secret_or_tenants_without_a_url_stop_the_gateway_rather_than_leave_the_hook_off(string key)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await GatewayHarness.StartAsync(gateway: s => s[$"{At}:{key}"] = key == "Secret" ? HookReceiver.Secret : "acme");
        });
        Assert.Contains($"{At}:Url is empty, but {At}:Secret or {At}:Tenants is set", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_hook_configuration_starts()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            s[$"{At}:Url"] = "https://hooks.example/approve";
            s[$"{At}:Secret"] = HookReceiver.Secret;
            s[$"{At}:Timeout"] = "00:00:02";
            s[$"{At}:Tenants:0"] = "acme";
        });
        using var client = system.Client();
        using var response = await client.GetAsync("/v1/backends");
        Assert.True(response.IsSuccessStatusCode);
    }
}
