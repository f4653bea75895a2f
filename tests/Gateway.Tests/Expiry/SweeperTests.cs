using Microsoft.Extensions.Time.Testing;
using Gateway.Expiry;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Expiry;

/// <summary>docs/architecture.md: expired sessions are aborted at the backend and released, one sweeper at a time.</summary>
public sealed class SweeperTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_instances_sweeping_at_once_expire_every_session_exactly_once()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(redis, clock, gateway: s =>
        {
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:01:00";
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = "1000";
            // Bytes alone, without the per-session floor (Limits/TenantCapsTests has that).
            s["Gateway:Limits:SessionOverheadBytes"] = "0";
        });
        await using var second = await system.StartGatewayAsync();
        using var client = new ContractClient(system.Client());
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await client.CreateSandboxFileAsync(100, $"/workspace/sweep-{i}.bin")).GetProperty("upload_id").GetString()!);
        }
        var live = (await client.CreateSandboxFileAsync(100, "/workspace/later.bin")).GetProperty("upload_id").GetString()!;
        await ExpectProblemAsync(await client.CreateAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/full" }, content_length = 200 }), 422, "quota_exceeded");

        clock.Advance(TimeSpan.FromSeconds(61));
        var sweepers = new[] { system.Gateway, second }.Select(app => app.Services.GetRequiredService<ExpirySweeper>()).ToArray();
        var counts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => sweepers[i % 2].SweepOnceAsync(default)));

        Assert.Equal(9, counts.Sum());
        var store = system.Gateway.Services.GetRequiredService<ISessionStore>();
        foreach (var id in ids.Append(live))
        {
            Assert.Equal(SessionStatus.Expired, (await store.GetAsync(id, null, default))!.Status);
        }
        Assert.Empty(await system.Gateway.Services.GetRequiredService<ISessionExpiryIndex>().DueForExpiryAsync(100, default));
        await client.CreateSandboxFileAsync(1000, "/workspace/after.bin");
    }

    [Fact]
    public async Task A_sweeper_skips_while_another_instance_holds_the_lock()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(redis, clock, gateway: s => s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:01:00");
        using var client = new ContractClient(system.Client());
        await client.CreateSandboxFileAsync(100, "/workspace/held.bin");
        clock.Advance(TimeSpan.FromMinutes(2));
        var store = system.Gateway.Services.GetRequiredService<IStoreLock>();
        Assert.True(await store.TryAcquireLockAsync(ExpirySweeper.LockName, "another-instance", TimeSpan.FromMinutes(1)));

        var sweeper = system.Gateway.Services.GetRequiredService<ExpirySweeper>();
        Assert.Equal(0, await sweeper.SweepOnceAsync(default));

        await store.ReleaseLockAsync(ExpirySweeper.LockName, "another-instance");
        Assert.Equal(1, await sweeper.SweepOnceAsync(default));
    }

    [Fact]
    public async Task The_sweeper_aborts_the_backend_session_of_an_expired_upload()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(redis, clock, gateway: s => s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:01:00");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(GatewayHarness.PartSize);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/abandoned.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, GatewayHarness.PartSize);
        var session = await system.Gateway.Services.GetRequiredService<ISessionStore>().GetAsync(id, null, default);

        clock.Advance(TimeSpan.FromMinutes(2));
        await system.Gateway.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(default);

        using var sandbox = system.SandboxClient();
        var backend = await ExpectAsync(await sandbox.GetAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/uploads/{session!.BackendSession.Id}"), System.Net.HttpStatusCode.OK);
        Assert.True(backend.GetProperty("status").GetString() is "aborted" or "expired", backend.ToString());
        Assert.Equal(0, backend.GetProperty("reserved_staging_bytes").GetInt64());
    }
}
