using Gateway.Backends;
using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Gateway.Tests.Backends;

/// <summary>Backends as plugins: a type registered by name, chosen by <c>Gateway:Backends:&lt;name&gt;:Type</c>, validating its own settings.</summary>
public sealed class BackendRegistryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public void A_registered_type_is_found_by_its_configuration_name_and_no_other()
    {
        var services = new ServiceCollection();
        services.AddUploadBackendType<SandboxBackendType>("sandbox");
        services.AddUploadBackendType<BoxBackendType>("box");
        services.AddSingleton<BackendTypes>();
        using var provider = services.BuildServiceProvider();

        var types = provider.GetRequiredService<BackendTypes>();

        Assert.Equal(["box", "sandbox"], types.Names);
        Assert.True(types.TryGet("sandbox", out var sandbox));
        Assert.IsType<SandboxBackendType>(sandbox);
        Assert.False(types.TryGet("Sandbox", out _));
        Assert.Equal(["SandboxIds", "PathPrefixes", "Users", "BoxFolderIds"], types.RuleKeys);
    }

    [Fact]
    public async Task An_unknown_type_stops_the_gateway_at_start_up_naming_the_registered_ones()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Backends:box:Type"] = "ftp"));

        Assert.Contains("Gateway:Backends:box:Type is 'ftp'; it must be a registered backend type: 'box', 's3', 'sandbox'.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_type_validates_its_own_settings_at_start_up()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Backends:sandbox:SandboxStagingQuotaBytes"] = "-1"));

        Assert.Contains("Gateway:Backends:sandbox:SandboxStagingQuotaBytes", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_target_rule_no_type_declares_stops_the_gateway_at_start_up()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Targets:Buckets:0"] = "b1"));

        Assert.Contains("Gateway:Tenants:acme:Targets:Buckets is not a target rule of any backend type", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_configured_backend_is_built_by_its_type_and_answers_with_its_rules()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        var registry = system.Gateway.GetRequiredService<BackendRegistry>();

        Assert.True(registry.TryGet("sandbox", out var sandbox));
        Assert.True(registry.TryGet("box", out var box));
        Assert.False(registry.TryGet("s3", out _));
        Assert.Equal(("sandbox", "box"), (sandbox.Rules.Type, box.Rules.Type));
        Assert.Same(SandboxTargets.Instance, sandbox.Targets);
        Assert.Same(BoxTargets.Instance, box.Targets);
        // Only the sandbox deduplicates a control-plane POST, so only its POSTs may be retried.
        Assert.Equal(("Idempotency-Key", null), (sandbox.Rules.IdempotencyKeyHeader, box.Rules.IdempotencyKeyHeader));
    }
}
