using Gateway.Domain;
using Gateway.Hooks;
using Gateway.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Gateway.Backends.Sandbox;

namespace Gateway.Tests.Hooks;

/// <summary>
/// <see cref="PreCreateHook"/> on the injected clock: its signature's timestamp is the clock's, and its timeout
/// fires when the clock says so (the receiver never answers; nothing here waits on real time).
/// </summary>
public sealed class PreCreateHookClockTests
{
    [Fact]
    public async Task The_timeout_runs_on_the_injected_clock_and_the_signature_carries_its_time()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = async context =>
        {
            arrived.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        };
        var clock = Clocks.StartingNow();
        await using var services = Services(clock, receiver.Url, timeout: TimeSpan.FromMinutes(1));
        var hook = services.GetRequiredService<PreCreateHook>();

        var check = hook.CheckAsync(Request("up_clock"), CancellationToken.None);
        await arrived.Task;
        Assert.False(check.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(check.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<GatewayException>(() => check);
        Assert.Equal(ErrorCode.HookUnavailable, error.Error);
        var call = Assert.Single(receiver.Calls);
        Assert.True(call.SignatureValid);
        Assert.Equal(clock.Start.ToUnixTimeSeconds().ToString(), call.Timestamp);
        Assert.Equal("up_clock", call.Id);
    }

    [Fact]
    public async Task A_tenant_outside_the_hooks_list_is_not_asked()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer = HookReceiver.Respond(StatusCodes.Status403Forbidden);
        await using var services = Services(Clocks.StartingNow(), receiver.Url, TimeSpan.FromSeconds(30), tenants: ["acme"]);
        var hook = services.GetRequiredService<PreCreateHook>();

        await hook.CheckAsync(Request("up_other") with { Tenant = "other" }, CancellationToken.None);
        await Assert.ThrowsAsync<GatewayException>(() => hook.CheckAsync(Request("up_acme"), CancellationToken.None));

        Assert.Equal(["up_acme"], receiver.Calls.Select(c => c.Id));
    }

    private static PreCreateRequest Request(string id) =>
        new(id, "acme", "sandbox", "sandbox", new SandboxTarget("sb_x", "/workspace/a").ToTarget(), "file", "error", 10, new Dictionary<string, string>());

    private static ServiceProvider Services(FakeTimeProvider clock, Uri url, TimeSpan timeout, string[]? tenants = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Hooks:PreCreate:Url"] = url.ToString(),
            ["Gateway:Hooks:PreCreate:Secret"] = HookReceiver.Secret,
            ["Gateway:Hooks:PreCreate:Timeout"] = timeout.ToString("c"),
            ["Gateway:Tenants:acme:Backends:0"] = "sandbox",
            ["Gateway:Tenants:other:Backends:0"] = "sandbox",
        };
        foreach (var (tenant, i) in (tenants ?? []).Select((t, i) => (t, i)))
        {
            settings[$"Gateway:Hooks:PreCreate:Tenants:{i}"] = tenant;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(clock)
            .AddLogging();
        services.AddOptions<Gateway.Auth.TenantCatalogOptions>().BindConfiguration(Gateway.Auth.TenantCatalogOptions.Section);
        services.AddHooks();
        return services.BuildServiceProvider();
    }
}
