using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Limits;
using Gateway.Sessions;
using Gateway.Sessions.InMemory;
using Gateway.Backends.Sandbox;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;
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
        _quota = Quota(new LimitsOptions { SessionOverheadBytes = 0 });
    }

    private StagingQuota Quota(LimitsOptions options) => new(_store, Options.Create(options));

    private static Tenant Tenant(long quota, int? maxLiveSessions = null, int? maxPartials = null) =>
        new("acme", new TenantLimits { StagingQuotaBytes = quota, MaxLiveSessions = maxLiveSessions, MaxPartialUploads = maxPartials },
            ["sandbox"], new Dictionary<string, List<string>>(), IsAdmin: false);

    private static readonly UploadTarget Sandbox = new SandboxTarget("sb_a", "/a").ToTarget();

    private static readonly IUploadBackend Backend = new SandboxBackend(BackendContexts.Offline("sandbox", "sandbox"), new SandboxSettings { SandboxStagingQuotaBytes = 100 });

    [Fact]
    public async Task A_session_holds_its_place_under_the_cap_and_its_bytes_in_the_tenant_and_in_its_sandbox()
    {
        var scopes = await _quota.ReserveAsync(Tenant(1000), Backend, Sandbox, "up_1", 60, 0, _clock.GetUtcNow().AddHours(1));

        Assert.Equal([StagingQuota.LiveSessionsScope("acme"), StagingQuota.TenantScope("acme"), SandboxBackend.QuotaScopeOf("sandbox", "sb_a")], scopes);
    }

    [Fact]
    public async Task A_full_sandbox_refuses_and_leaves_nothing_held_in_the_tenant()
    {
        var until = _clock.GetUtcNow().AddHours(1);
        await _quota.ReserveAsync(Tenant(1000), Backend, Sandbox, "up_1", 60, 0, until);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _quota.ReserveAsync(Tenant(1000), Backend, Sandbox, "up_2", 50, 0, until));

        Assert.Equal(ErrorCode.QuotaExceeded, refusal.Error);
        Assert.Contains("sandbox sb_a", refusal.Message, StringComparison.Ordinal);
        // The tenant scope (limit 1000) kept only up_1's 60 bytes: 940 more still fit there.
        Assert.True(await _store.TryReserveAsync(StagingQuota.TenantScope("acme"), "up_probe", 940, 1000, until));
    }

    [Fact]
    public async Task Released_bytes_fit_again_and_a_zero_quota_is_no_limit()
    {
        var until = _clock.GetUtcNow().AddHours(1);
        var scopes = await _quota.ReserveAsync(Tenant(0, maxLiveSessions: 0), Backend, Sandbox, "up_1", 100, 0, until);
        Assert.Equal([SandboxBackend.QuotaScopeOf("sandbox", "sb_a")], scopes);

        await _quota.ReleaseAsync(scopes, "up_1");

        Assert.Equal(scopes, await _quota.ReserveAsync(Tenant(0, maxLiveSessions: 0), Backend, Sandbox, "up_2", 100, 0, until));
    }

    [Fact]
    public async Task A_tenant_at_its_cap_is_refused_naming_the_limit_and_holds_nothing_more_anywhere()
    {
        var until = _clock.GetUtcNow().AddHours(1);
        var tenant = Tenant(1000, maxLiveSessions: 2);
        var first = await _quota.ReserveAsync(tenant, Backend, Sandbox, "up_1", 10, 0, until);
        await _quota.ReserveAsync(tenant, Backend, Sandbox, "up_2", 10, 0, until);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _quota.ReserveAsync(tenant, Backend, Sandbox, "up_3", 10, 0, until));

        Assert.Equal(ErrorCode.TooManyUploads, refusal.Error);
        Assert.Equal("max_live_sessions", refusal.Extensions!["limit"]);
        Assert.Contains("2 live uploads", refusal.Message, StringComparison.Ordinal);
        // Refused before any byte was reserved: 980 bytes still fit in the tenant's quota.
        Assert.True(await _store.TryReserveAsync(StagingQuota.TenantScope("acme"), "up_probe", 980, 1000, until));
        await _quota.ReleaseAsync(first, "up_1");
        await _quota.ReserveAsync(tenant, Backend, Sandbox, "up_3", 10, 0, until);
    }

    [Fact]
    public async Task The_deployments_default_cap_applies_unless_the_tenant_sets_its_own_and_zero_means_none()
    {
        var quota = Quota(new LimitsOptions { MaxLiveSessions = 1, SessionOverheadBytes = 0 });
        var until = _clock.GetUtcNow().AddHours(1);
        await quota.ReserveAsync(Tenant(0), Backend, Sandbox, "up_1", 1, 0, until);
        await Assert.ThrowsAsync<GatewayException>(() => quota.ReserveAsync(Tenant(0), Backend, Sandbox, "up_2", 1, 0, until));

        await quota.ReserveAsync(Tenant(0, maxLiveSessions: 2), Backend, Sandbox, "up_2", 1, 0, until);
        for (var i = 3; i < 10; i++)
        {
            await quota.ReserveAsync(Tenant(0, maxLiveSessions: 0), Backend, Sandbox, $"up_{i}", 1, 0, until);
        }
    }

    [Fact]
    public async Task A_place_held_by_a_crashed_instance_lapses_with_its_session()
    {
        var tenant = Tenant(0, maxLiveSessions: 1);
        await _quota.ReserveAsync(tenant, Backend, Sandbox, "up_1", 1, 0, _clock.GetUtcNow().AddMinutes(5));
        await Assert.ThrowsAsync<GatewayException>(() => _quota.ReserveAsync(tenant, Backend, Sandbox, "up_2", 1, 0, _clock.GetUtcNow().AddMinutes(5)));

        _clock.Advance(TimeSpan.FromMinutes(5));

        await _quota.ReserveAsync(tenant, Backend, Sandbox, "up_2", 1, 0, _clock.GetUtcNow().AddMinutes(5));
    }

    [Fact]
    public void A_session_is_charged_its_bytes_or_its_metadata_and_the_overhead_whichever_is_more()
    {
        var quota = Quota(new LimitsOptions { SessionOverheadBytes = 100 });

        Assert.Equal(150, quota.Charge(1, 50));
        Assert.Equal(100, quota.Charge(0, 0));
        Assert.Equal(5000, quota.Charge(5000, 50));
        // "valé" is five bytes of UTF-8.
        Assert.Equal(Sandbox.Json.Length + 3 + 5, StagingQuota.MetadataBytes(Sandbox, new Dictionary<string, string> { ["key"] = "valé" }));
    }

    [Fact]
    public async Task Partial_uploads_have_their_own_cap_and_give_back_both_their_place_and_their_bytes()
    {
        var quota = Quota(new LimitsOptions { MaxPartialUploads = 1, SessionOverheadBytes = 100 });
        var until = _clock.GetUtcNow().AddHours(1);
        var tenant = Tenant(1000);
        await quota.ReservePartialAsync(tenant, "pt_1", 0, 0, until);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => quota.ReservePartialAsync(tenant, "pt_2", 0, 0, until));
        Assert.Equal(ErrorCode.TooManyUploads, refusal.Error);
        Assert.Equal("max_partial_uploads", refusal.Extensions!["limit"]);
        // The empty partial holds its 100 bytes of overhead: 900 more fit, not 901.
        Assert.False(await _store.TryReserveAsync(StagingQuota.TenantScope("acme"), "up_probe", 901, 1000, until));

        await quota.ReleasePartialAsync("acme", "pt_1");

        Assert.True(await _store.TryReserveAsync(StagingQuota.TenantScope("acme"), "up_probe", 1000, 1000, until));
        await _store.ReleaseAsync(StagingQuota.TenantScope("acme"), "up_probe");
        await quota.ReservePartialAsync(tenant, "pt_2", 0, 0, until);
    }
}
