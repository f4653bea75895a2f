using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Limits;
using Gateway.Sessions;
using Gateway.Sessions.InMemory;
using Gateway.Backends.Sandbox;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Gateway.Tests.Limits;

/// <summary>Staging quota per tenant and per sandbox: reserved in every scope or in none, released together.</summary>
public sealed class StagingQuotaTests
{
    private readonly FakeTimeProvider _clock = Clocks.StartingNow();
    private readonly InMemorySessionStore _store;
    private readonly StagingQuota _quota;

    public StagingQuotaTests()
    {
        _store = new InMemorySessionStore(new StoreOptions(), _clock);
        _quota = new StagingQuota(_store);
    }

    private static Tenant Tenant(long quota) => new("acme", new TenantLimits { StagingQuotaBytes = quota }, ["sandbox"], new Dictionary<string, List<string>>(), IsAdmin: false);

    private static readonly UploadTarget Sandbox = new SandboxTarget("sb_a", "/a").ToTarget();

    private static readonly IUploadBackend Backend = new SandboxBackend(BackendContexts.Offline("sandbox", "sandbox"), new SandboxSettings { SandboxStagingQuotaBytes = 100 });

    [Fact]
    public async Task A_session_holds_its_bytes_in_the_tenant_and_in_its_sandbox()
    {
        var scopes = await _quota.ReserveAsync(Tenant(1000), Backend, Sandbox, "up_1", 60, _clock.GetUtcNow().AddHours(1));

        Assert.Equal([StagingQuota.TenantScope("acme"), SandboxBackend.QuotaScopeOf("sandbox", "sb_a")], scopes);
    }

    [Fact]
    public async Task A_full_sandbox_refuses_and_leaves_nothing_held_in_the_tenant()
    {
        var until = _clock.GetUtcNow().AddHours(1);
        await _quota.ReserveAsync(Tenant(1000), Backend, Sandbox, "up_1", 60, until);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _quota.ReserveAsync(Tenant(1000), Backend, Sandbox, "up_2", 50, until));

        Assert.Equal(ErrorCode.QuotaExceeded, refusal.Error);
        Assert.Contains("sandbox sb_a", refusal.Message, StringComparison.Ordinal);
        // The tenant scope (limit 1000) kept only up_1's 60 bytes: 940 more still fit there.
        Assert.True(await _store.TryReserveAsync(StagingQuota.TenantScope("acme"), "up_probe", 940, 1000, until));
    }

    [Fact]
    public async Task Released_bytes_fit_again_and_a_zero_quota_is_no_limit()
    {
        var until = _clock.GetUtcNow().AddHours(1);
        var scopes = await _quota.ReserveAsync(Tenant(0), Backend, Sandbox, "up_1", 100, until);
        Assert.Equal([SandboxBackend.QuotaScopeOf("sandbox", "sb_a")], scopes);

        await _quota.ReleaseAsync(scopes, "up_1");

        Assert.Equal(scopes, await _quota.ReserveAsync(Tenant(0), Backend, Sandbox, "up_2", 100, until));
    }
}
