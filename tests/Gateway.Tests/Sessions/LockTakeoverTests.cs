using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using Gateway.Sessions;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Sessions;

/// <summary>
/// A lock that lapsed while the store was away and was taken by another holder: the work it guarded stops rather than
/// run beside the new holder's (<c>Sessions/HeldLock</c>). A commit's request is told to ask again; a tus write is
/// refused 423, keeps what it had stored, and the upload resumes from there.
/// </summary>
public sealed class LockTakeoverTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task Work_whose_lock_a_renewal_finds_taken_is_cancelled_and_ends_in_lock_lost()
    {
        var clock = Clocks.StartingNow();
        var ttl = TimeSpan.FromSeconds(30);
        var locks = new OneLock();
        Assert.True(await locks.TryAcquireLockAsync("commit:x", "me", ttl));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = locks.HoldAsync("commit:x", "me", ttl, clock, async token =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return 1;
        }, _ => { });
        await started.Task;
        // Renewed while it is still this holder's; then another takes it.
        await AdvanceAsync(clock, ttl / 3, locks, renewals: 1);
        Assert.False(held.IsCompleted);
        locks.Holder = "another";
        await AdvanceAsync(clock, ttl / 3, locks, renewals: 2);

        var lost = await Assert.ThrowsAsync<LockLostException>(() => held.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("commit:x", lost.Message, StringComparison.Ordinal);
        Assert.Equal("another", locks.Holder);
    }

    [Fact]
    public async Task A_commit_whose_lock_another_instance_takes_stops_answers_202_and_the_next_complete_lands_it()
    {
        var logs = new FakeLogCollector();
        await using var system = await GatewayHarness.StartAsync(redis,
            gateway: s =>
            {
                s["Gateway:Store:LeaseTtl"] = "00:00:01.500";
                s["Gateway:Completion:AnswerWithin"] = "00:00:20";
                s["Gateway:Completion:RetryAfter"] = "00:00:01";
            },
            everyApp: Capture(logs));
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize + 77, seed: 71);
        var path = $"/workspace/takeover/{Guid.NewGuid():N}.bin";
        var id = (await client.CreateSandboxFileAsync(file.Length, path)).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);
        using (var mock = system.Sandbox.CreateClient())
        {
            (await mock.PostAsJsonAsync("/_mock/faults", new { kind = "latency", method = "POST", path = "/complete", latency_ms = 4000, count = 1 })).EnsureSuccessStatusCode();
        }

        var complete = client.CompleteAsync(id, new { });
        await TakeOverAsync(system, "commit:" + id, logs, "commit lock");

        // Without the takeover the request would wait the commit out (4 s, within AnswerWithin) and answer 200.
        using (var answer = await complete)
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        }
        var completed = await client.CompletedAsync(id);
        Assert.Equal(path, completed.GetProperty("result").GetProperty("path").GetString());
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}"));
    }

    [Fact]
    public async Task A_tus_write_whose_lock_another_writer_takes_stops_keeps_what_it_stored_and_the_upload_resumes_from_there()
    {
        var logs = new FakeLogCollector();
        await using var system = await GatewayHarness.StartAsync(redis,
            gateway: s =>
            {
                TusSettings.Apply(s);
                s["Gateway:Store:LeaseTtl"] = "00:00:01.500";
            },
            everyApp: Capture(logs));
        using var client = system.Client();
        var file = TestData.Bytes(2 * PartSize + 300_000, seed: 72);
        var name = $"{Guid.NewGuid():N}.bin";
        var location = await CreatedAsync(client, file.Length, Metadata(("filename", name)));
        var id = location["/tus/".Length..];

        // One PATCH of the whole file, of which only part 1 and 64 KiB of part 2 come before the takeover (more than the
        // client's own write buffer holds back, so all of part 1 leaves it).
        var body = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var patch = Patch(location, 0, []);
        patch.Content = new StreamContent(body.Reader.AsStream());
        patch.Content.Headers.ContentType = new("application/offset+octet-stream");
        patch.Content.Headers.ContentLength = file.Length;
        var sent = client.SendAsync(patch);
        await body.Writer.WriteAsync(file.AsMemory(0, PartSize + 65536));
        for (var i = 0; i < 500 && await HeadOffsetAsync(client, location) < PartSize; i++)
        {
            await Task.Delay(20);
        }
        Assert.Equal(PartSize, await HeadOffsetAsync(client, location));

        await TakeOverAsync(system, "tus-writer:" + id, logs, "writer lock");
        // The rest of the body comes after the writer stopped: none of it may land.
        try
        {
            await body.Writer.WriteAsync(file.AsMemory(PartSize + 65536));
            await body.Writer.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
        }
        try
        {
            using var answer = await sent.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((HttpStatusCode)423, answer.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The gateway answered and closed while the client still sent: as good as the 423 for this test.
        }

        // Part 2 was on its way when the writer stopped: not stored, so the upload stands after part 1.
        Assert.Equal(PartSize, await HeadOffsetAsync(client, location));
        await WaitForLapseAsync(system, "tus-writer:" + id);
        using (var resumed = await client.SendAsync(Patch(location, PartSize, file, PartSize)))
        {
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        }
        using var sandbox = system.SandboxClient();
        var landed = $"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/tus/{name}";
        Assert.Equal(file, await sandbox.GetByteArrayAsync(landed));
    }

    private static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> Capture(FakeLogCollector logs) => builder =>
    {
        builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
    };

    /// <summary>
    /// Another holder takes the named lock, as after a failover that lost it: set under another owner for three seconds
    /// (the holder's renewals come every half second); returns once the holder has logged that it stopped.
    /// </summary>
    private async Task TakeOverAsync(GatewayHarness system, string name, FakeLogCollector logs, string logged)
    {
        using var store = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = $"{system.GatewaySettings["Gateway:Store:KeyPrefix"]}:lock:{name}";
        for (var i = 0; i < 200 && !await store.GetDatabase().KeyExistsAsync(key); i++)
        {
            await Task.Delay(20);
        }
        await store.GetDatabase().StringSetAsync(key, "another-instance", TimeSpan.FromSeconds(3));
        for (var i = 0; i < 500 && !logs.GetSnapshot().Any(r => r.Message.Contains(logged, StringComparison.Ordinal) && r.Message.Contains("took", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(20);
        }
        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains(logged, StringComparison.Ordinal) && r.Message.Contains("took", StringComparison.Ordinal));
    }

    private async Task WaitForLapseAsync(GatewayHarness system, string name)
    {
        using var store = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = $"{system.GatewaySettings["Gateway:Store:KeyPrefix"]}:lock:{name}";
        for (var i = 0; i < 500 && await store.GetDatabase().KeyExistsAsync(key); i++)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Advances the clock one renewal period and waits for that renewal to reach the store.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider clock, TimeSpan by, OneLock locks, int renewals)
    {
        clock.Advance(by);
        for (var i = 0; i < 500 && locks.Renewals < renewals; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(renewals, locks.Renewals);
    }

    /// <summary>One lock, as the store keeps it: taken by one owner at a time, re-taking it renews it.</summary>
    private sealed class OneLock : IStoreLock
    {
        private int _takes;

        public string? Holder { get; set; }

        /// <summary>Takes after the first (the renewals).</summary>
        public int Renewals => Math.Max(0, Volatile.Read(ref _takes) - 1);

        public Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl)
        {
            Interlocked.Increment(ref _takes);
            Holder ??= owner;
            return Task.FromResult(Holder == owner);
        }

        public Task ReleaseLockAsync(string name, string owner)
        {
            if (Holder == owner)
            {
                Holder = null;
            }
            return Task.CompletedTask;
        }
    }
}
