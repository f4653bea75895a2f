using System.Net;
using Gateway.Sessions;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Events;
using Gateway.Tests.Support;
using StackExchange.Redis;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Draining;

/// <summary>
/// docs/deploy.md, upgrades: a gateway process sent SIGTERM drains. /readyz turns 503 at once while requests are
/// still served; the parts and tus PATCHes in flight run to completion (each held open by its client until the
/// drain has begun, so nothing here depends on timing); the process exits 0; the uploads finish on another instance
/// with nothing counted twice. Past the limit a part is cut, its lease released at once, and sent again elsewhere.
/// </summary>
public sealed class DrainTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task SIGTERM_with_four_parts_and_a_tus_patch_in_flight_answers_each_2xx_exits_0_and_the_uploads_finish_elsewhere()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            TusSettings.Apply(s);
            WebhookDeliveryTests.Webhooks(s, ("main", receiver.Url));
            // Shard leases that would lapse only minutes after the instance is gone: a handed-over one is released.
            s["Gateway:Webhooks:LeaseTtl"] = "00:05:00";
            s["Gateway:Drain:Delay"] = "00:00:01";
            s["Gateway:Drain:Limit"] = "00:02:00";
            s["Logging:LogLevel:Gateway.Draining"] = "Information";
        });
        await using var a = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var shardLocks = ConnectionMultiplexer.Connect(redis.ConnectionString);
        await WaitUntilAsync(async () => (await ShardOwnersAsync(shardLocks, system)).Count(o => o.Contains($"-{a.ProcessId}-", StringComparison.Ordinal)) > 0);
        await using var b = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var viaA = new ContractClient(a.CreateClient(GatewayHarness.AcmeKey));
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(6 * PartSize + 777, seed: 61);
        var id = (await viaA.CreateSandboxFileAsync(file.Length, "/workspace/drained.bin")).GetProperty("upload_id").GetString()!;
        var tusFile = TestData.Bytes(3 * PartSize + 100, seed: 62);
        var location = new Uri(await CreatedAsync(viaA.Http, tusFile.Length, Metadata(("filename", "drained-tus.bin"))), UriKind.RelativeOrAbsolute);
        var tusPath = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;

        // Four parts and one PATCH (of two parts and a bit) go to A, each held with half its bytes sent.
        var resume = new TaskCompletionSource();
        var started = new List<Task>();
        var inFlight = new List<Task<HttpResponseMessage>>();
        foreach (var n in new[] { 1, 2, 3, 4 })
        {
            var halfSent = new TaskCompletionSource();
            started.Add(halfSent.Task);
            var body = new StalledContent(Slice(file, n, PartSize), PartSize / 2, halfSent, resume.Task);
            inFlight.Add(viaA.Http.PutAsync($"/v1/uploads/{id}/parts/{n}", body));
        }
        var patchBytes = tusFile[..(2 * PartSize + 50)];
        var patchHalfSent = new TaskCompletionSource();
        started.Add(patchHalfSent.Task);
        var patch = Patch(tusPath, 0, patchBytes);
        patch.Content = new StalledContent(patchBytes, PartSize + PartSize / 2, patchHalfSent, resume.Task);
        patch.Content.Headers.ContentType = new(OctetStream);
        inFlight.Add(viaA.Http.SendAsync(patch));
        await Task.WhenAll(started).WaitAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await viaB.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 4);

        a.Terminate();
        await WaitUntilAsync(async () => (await ReadyAsync(a)) == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadyAsync(a));
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(b));
        // Still served while draining, and told to go elsewhere next time.
        using (var during = await viaA.Http.GetAsync($"/v1/uploads/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
            Assert.True(during.Headers.ConnectionClose, "a response while draining closes its connection");
        }

        resume.SetResult();
        foreach (var request in inFlight)
        {
            using var response = await request.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(0, await a.ExitedAsync(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(11)));
        Assert.Contains("Drained: no request in flight", a.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Cut ", a.Output, StringComparison.Ordinal);
        // Its webhook shards were handed over: released on the way out, not left to lapse.
        Assert.DoesNotContain(await ShardOwnersAsync(shardLocks, system), o => o.Contains($"-{a.ProcessId}-", StringComparison.Ordinal));

        // The v1 upload finishes through B: seven parts, each counted once.
        foreach (var n in new[] { 5, 6, 7 })
        {
            await viaB.PutPartOkAsync(id, n, file, PartSize);
        }
        var status = await viaB.GetOkAsync(id);
        Assert.Equal(file.Length, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(7, status.GetProperty("parts_received").GetInt32());
        await ExpectAsync(await viaB.CompleteAsync(id), HttpStatusCode.OK);
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/drained.bin"));

        // The tus upload resumes on B from what A acknowledged.
        Assert.Equal(patchBytes.Length, await HeadOffsetAsync(viaB.Http, tusPath));
        using (var rest = await viaB.Http.SendAsync(Patch(tusPath, patchBytes.Length, tusFile, patchBytes.Length)))
        {
            Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
            Assert.Equal(tusFile.Length, Offset(rest));
        }
        Assert.Equal(tusFile, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/tus/drained-tus.bin"));
        // B, which owned no shard when A left, took them and delivers.
        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Any(d => d.UploadId == id && d.Type == EventTypes.Completed), seconds: 120);
        Assert.Contains(receiver.Accepted, d => d.UploadId == id && d.Type == EventTypes.Completed);
    }

    /// <summary>The values of the webhook endpoint's shard locks: each owner's name carries its process id.</summary>
    private static async Task<List<string>> ShardOwnersAsync(ConnectionMultiplexer redisConnection, GatewayHarness system)
    {
        var prefix = system.GatewaySettings["Gateway:Store:KeyPrefix"];
        var shards = int.Parse(system.GatewaySettings["Gateway:Store:EventShards"]!, System.Globalization.CultureInfo.InvariantCulture);
        var db = redisConnection.GetDatabase();
        var values = await Task.WhenAll(Enumerable.Range(0, shards).Select(s => db.StringGetAsync($"{prefix}:lock:webhooks:main:{s}")));
        return [.. values.Where(v => v.HasValue).Select(v => (string)v!)];
    }

    [Fact]
    public async Task A_part_still_in_flight_at_the_limit_is_cut_uncounted_its_lease_released_and_it_goes_through_elsewhere_at_once()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Drain:Delay"] = "00:00:00";
            s["Gateway:Drain:Limit"] = "00:00:01";
            // A lease left to lapse would hold the part for minutes: only a released one lets B take it at once.
            s["Gateway:Store:LeaseTtl"] = "00:05:00";
            s["Logging:LogLevel:Gateway.Draining"] = "Information";
        });
        await using var a = await GatewayProcess.StartAsync(system.GatewaySettings);
        await using var b = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var viaA = new ContractClient(a.CreateClient(GatewayHarness.AcmeKey));
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(2 * PartSize, seed: 63);
        var id = (await viaA.CreateSandboxFileAsync(file.Length, "/workspace/cut.bin")).GetProperty("upload_id").GetString()!;
        await viaA.PutPartOkAsync(id, 1, file, PartSize);

        var halfSent = new TaskCompletionSource();
        var never = new TaskCompletionSource();
        var held = viaA.Http.PutAsync($"/v1/uploads/{id}/parts/2", new StalledContent(Slice(file, 2, PartSize), PartSize / 2, halfSent, never.Task));
        await halfSent.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await viaB.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 1);

        a.Terminate();
        Assert.Equal(0, await a.ExitedAsync(TimeSpan.FromSeconds(1 + 10 + 30)));
        Assert.Contains("Cut 1 requests still in flight", a.Output, StringComparison.Ordinal);
        never.SetResult();
        var cut = await Record.ExceptionAsync(async () =>
        {
            using var response = await held.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(response.IsSuccessStatusCode, "a part cut by the drain was answered 2xx");
        });
        Assert.True(cut is null or HttpRequestException or IOException or TaskCanceledException, cut?.ToString());

        var status = await viaB.GetOkAsync(id);
        Assert.Equal(0, status.GetProperty("parts_in_flight").GetInt32());
        Assert.Equal(1, status.GetProperty("parts_received").GetInt32());
        await viaB.PutPartOkAsync(id, 2, file, PartSize);
        await ExpectAsync(await viaB.CompleteAsync(id), HttpStatusCode.OK);
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/cut.bin"));
    }

    [Theory]
    [InlineData("Delay", "-00:00:01")]
    [InlineData("Delay", "00:11:00")]
    [InlineData("Limit", "00:00:00")]
    public async Task A_drain_setting_out_of_range_stops_the_gateway_at_start_up_naming_it(string field, string value)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            GatewayHarness.StartAsync(gateway: s => s[$"Gateway:Drain:{field}"] = value));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> ReadyAsync(GatewayProcess instance)
    {
        using var http = new HttpClient { BaseAddress = instance.BaseAddress };
        using var response = await http.GetAsync("/readyz");
        return response.StatusCode;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 1000 && !await condition(); i++)
        {
            await Task.Delay(20);
        }
    }
}
