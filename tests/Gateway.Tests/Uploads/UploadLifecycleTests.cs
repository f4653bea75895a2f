using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Gateway.Uploads;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Gateway.Backends.Sandbox;

namespace Gateway.Tests.Uploads;

/// <summary>
/// <c>Uploads/UploadLifecycle</c>'s rules, called directly: what create checks and holds (the staging quota, the
/// backend's session), what complete, abort and expire allow in each state, and expiry on the framework's fake
/// clock (shared by the mocks). The embedded store: the Redis store is held to the same rules by the store
/// contract suite (Sessions/).
/// </summary>
public sealed class UploadLifecycleTests : IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;

    /// <summary>acme's staging quota: three parts' worth.</summary>
    private const long Quota = 3L * PartSize;

    private readonly FakeTimeProvider _clock = Clocks.StartingNow();
    private GatewayHarness _system = null!;
    private UploadLifecycle _lifecycle = null!;
    private ISessionStore _store = null!;
    private Tenant _acme = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync(clock: _clock, gateway: s =>
        {
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = Quota.ToString();
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "01:00:00";
        });
        _lifecycle = _system.Gateway.GetRequiredService<UploadLifecycle>();
        _store = _system.Gateway.GetRequiredService<ISessionStore>();
        _acme = _system.Gateway.GetRequiredService<TenantDirectory>().TryGet("acme", out var acme) ? acme : throw new InvalidOperationException();
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Create_keeps_the_session_in_the_store_as_the_backend_shaped_it_and_expiring_at_the_tenants_ttl()
    {
        var session = await CreateAsync("/workspace/life/create.bin", 2 * PartSize + 1);

        Assert.Matches("^up_[a-z2-7]{32}$", session.Id);
        Assert.Equal(SessionStatus.Created, session.Status);
        Assert.Equal((PartSize, 3), (session.PartSize, session.PartCount));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), session.ExpiresAt);
        // Its place under the tenant's live-session cap, and its bytes in the tenant's quota.
        Assert.Equal(["sessions:acme", "tenant:acme"], session.QuotaScopes);
        var stored = await _store.GetAsync(session.Id, "acme", CancellationToken.None);
        Assert.Equal(session.BackendSession.Id, stored!.BackendSession.Id);
        Assert.Null(await _store.GetAsync(session.Id, "other", CancellationToken.None));
    }

    [Fact]
    public async Task A_backend_session_that_ends_sooner_than_the_tenants_ttl_sets_the_expiry()
    {
        using (var mock = _system.Sandbox.CreateClient())
        {
            (await mock.PatchAsJsonAsync($"/_mock/sandboxes/{GatewayHarness.SandboxId}", new { session_ttl_seconds = 600 })).EnsureSuccessStatusCode();
        }

        var session = await CreateAsync("/workspace/life/short.bin", 10);

        Assert.InRange(session.ExpiresAt, _clock.GetUtcNow().AddSeconds(599), _clock.GetUtcNow().AddSeconds(600));
    }

    [Fact]
    public async Task The_staging_quota_is_held_while_a_session_lives_and_freed_when_it_ends()
    {
        var first = await CreateAsync("/workspace/life/q1.bin", 2 * PartSize);
        var over = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync("/workspace/life/q2.bin", 2 * PartSize));
        Assert.Equal(ErrorCode.QuotaExceeded, over.Error);

        await _lifecycle.AbortAsync(_acme, first.Id, CancellationToken.None);

        await CreateAsync("/workspace/life/q3.bin", 2 * PartSize);
    }

    [Fact]
    public async Task A_create_the_backend_refuses_or_the_gateway_refuses_holds_no_quota()
    {
        var atBackend = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync("/workspace/life/nobox.bin", Quota, sandbox: "sb_nosuchbox"));
        Assert.Equal(ErrorCode.InvalidTarget, atBackend.Error);
        var tooLarge = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.CreateAsync(
            _acme with { Limits = new TenantLimits { MaxUploadBytes = 10, StagingQuotaBytes = Quota } }, Create("/workspace/life/big.bin", 11), CancellationToken.None));
        Assert.Equal(ErrorCode.UploadTooLarge, tooLarge.Error);
        var notHers = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.CreateAsync(_acme with { Backends = ["box"] }, Create("/workspace/life/x.bin", 1), CancellationToken.None));
        Assert.Equal(ErrorCode.UnknownBackend, notHers.Error);

        await CreateAsync("/workspace/life/whole-quota.bin", Quota);
    }

    [Fact]
    public async Task Complete_before_every_part_is_in_names_the_missing_parts_and_changes_nothing()
    {
        var session = await CreateAsync("/workspace/life/missing.bin", 2 * PartSize);

        var error = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.CompleteAsync(_acme, session.Id, null, CancellationToken.None));

        Assert.Equal(ErrorCode.PartsMissing, error.Error);
        Assert.Equal("1-2", error.Extensions!["missing_parts"]);
        Assert.Equal(1, error.Extensions["next_part"]);
        Assert.Equal(SessionStatus.Created, (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task An_empty_upload_is_staged_at_create_and_completes_at_once_and_completing_again_is_a_no_op()
    {
        var session = await CreateAsync("/workspace/life/empty.bin", 0);
        Assert.Equal(SessionStatus.Staged, session.Status);

        var (completed, wait) = await _lifecycle.CompleteAsync(_acme, session.Id, null, CancellationToken.None);
        var (again, _) = await _lifecycle.CompleteAsync(_acme, session.Id, null, CancellationToken.None);

        Assert.Null(wait);
        Assert.Equal(SessionStatus.Completed, completed.Status);
        Assert.Equal("/workspace/life/empty.bin", completed.Result!.Path);
        Assert.Equal(0, completed.Result.Size);
        Assert.Equal(completed.Result, again.Result);
        var abort = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.AbortAsync(_acme, session.Id, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidState, abort.Error);
    }

    [Fact]
    public async Task Abort_ends_the_session_here_and_at_the_backend_and_a_second_abort_changes_nothing()
    {
        var session = await CreateAsync("/workspace/life/abort.bin", 10);

        await _lifecycle.AbortAsync(_acme, session.Id, CancellationToken.None);
        await _lifecycle.AbortAsync(_acme, session.Id, CancellationToken.None);

        Assert.Equal(SessionStatus.Aborted, (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!.Status);
        Assert.Contains(await BackendStatusAsync(session), new[] { "aborted", "gone" });
        var complete = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.CompleteAsync(_acme, session.Id, null, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidState, complete.Error);
        var other = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.AbortAsync(_acme with { Name = "other" }, session.Id, CancellationToken.None));
        Assert.Equal(ErrorCode.NotFound, other.Error);
    }

    [Fact]
    public async Task A_session_expires_only_once_its_time_has_come_and_expiring_ends_it_at_the_backend_and_frees_its_quota()
    {
        var session = await CreateAsync("/workspace/life/expire.bin", Quota);

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.False(await _lifecycle.ExpireAsync(session.Id, CancellationToken.None));
        Assert.Equal(SessionStatus.Created, (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!.Status);

        _clock.Advance(TimeSpan.FromMinutes(1));
        // Past its expiry and not yet swept: the rule already says expired.
        var late = await Assert.ThrowsAsync<GatewayException>(() => _lifecycle.CompleteAsync(_acme, session.Id, null, CancellationToken.None));
        Assert.Equal(ErrorCode.Expired, late.Error);

        Assert.True(await _lifecycle.ExpireAsync(session.Id, CancellationToken.None));
        Assert.False(await _lifecycle.ExpireAsync(session.Id, CancellationToken.None));
        Assert.Equal(SessionStatus.Expired, (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!.Status);
        Assert.Contains(await BackendStatusAsync(session), new[] { "aborted", "gone" });
        await CreateAsync("/workspace/life/after-expiry.bin", Quota);
    }

    [Fact]
    public async Task Expiring_an_unknown_or_ended_session_does_nothing()
    {
        var session = await CreateAsync("/workspace/life/ended.bin", 10);
        await _lifecycle.AbortAsync(_acme, session.Id, CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(2));

        Assert.False(await _lifecycle.ExpireAsync(session.Id, CancellationToken.None));
        Assert.False(await _lifecycle.ExpireAsync("up_" + new string('a', 32), CancellationToken.None));
        Assert.Equal(SessionStatus.Aborted, (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!.Status);
    }

    private Task<UploadSession> CreateAsync(string path, long length, string sandbox = GatewayHarness.SandboxId) =>
        _lifecycle.CreateAsync(_acme, Create(path, length, sandbox), CancellationToken.None);

    private static CreateUpload Create(string path, long length, string sandbox = GatewayHarness.SandboxId) =>
        new("sandbox", new SandboxTarget(sandbox, path).ToTarget(), "file", "error", length, null);

    /// <summary>The sandbox's own view of the session, or "gone" when it no longer has it.</summary>
    private async Task<string> BackendStatusAsync(UploadSession session)
    {
        using var mock = _system.SandboxClient();
        using var response = await mock.GetAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/uploads/{session.BackendSession.Id}");
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!
            : "gone";
    }
}
