using System.Net;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Scale;

/// <summary>
/// docs/architecture.md, state and scale: gateway instances are stateless and share one Redis, so any instance
/// takes any part, and a client that loses its instance finishes on another.
/// </summary>
public sealed class ManyInstancesTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task Two_gateway_processes_on_one_redis_share_an_upload_part_by_part()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        await using var a = await GatewayProcess.StartAsync(system.GatewaySettings);
        await using var b = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var viaA = new ContractClient(a.CreateClient(GatewayHarness.AcmeKey));
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(6 * PartSize + 321, seed: 21);

        var id = (await viaA.CreateSandboxFileAsync(file.Length, "/workspace/shared.bin")).GetProperty("upload_id").GetString()!;
        await Task.WhenAll(Enumerable.Range(1, 7).Select(n => (n % 2 == 0 ? viaA : viaB).PutPartOkAsync(id, n, file, PartSize)));

        Assert.Equal(file.Length, (await viaA.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
        await ExpectAsync(await viaB.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal("completed", (await viaA.GetOkAsync(id)).GetProperty("status").GetString());
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/shared.bin"));
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task An_instance_killed_in_the_middle_of_a_part_loses_nothing_and_counts_nothing_twice(string backend)
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Store:LeaseTtl"] = "00:00:02");
        await using var a = await GatewayProcess.StartAsync(system.GatewaySettings);
        await using var b = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var viaA = new ContractClient(a.CreateClient(GatewayHarness.AcmeKey));
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(3 * PartSize, seed: 33);
        var id = (backend == "sandbox"
            ? await viaA.CreateSandboxFileAsync(file.Length, "/workspace/survivor.bin")
            : await viaA.CreateBoxFileAsync(file.Length, "survivor.bin")).GetProperty("upload_id").GetString()!;
        await viaA.PutPartOkAsync(id, 1, file, PartSize);

        // Part 2 goes to A, which dies with half of it sent.
        var halfSent = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        var body = new StalledContent(Slice(file, 2, PartSize), PartSize / 2, halfSent, resume.Task);
        var doomed = viaA.Http.PutAsync($"/v1/uploads/{id}/parts/2", body);
        await halfSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => (await viaB.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 1);
        a.Kill();
        resume.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => doomed.WaitAsync(TimeSpan.FromSeconds(30)));

        // The client resumes on B: the dead instance's lease lapses, and the part goes through once.
        var status = await viaB.GetOkAsync(id);
        Assert.Equal("2-3", status.GetProperty("missing_parts").GetString());
        await PutWithRetriesAsync(viaB, id, 2, Slice(file, 2, PartSize));
        await viaB.PutPartOkAsync(id, 3, file, PartSize);

        var final = await viaB.GetOkAsync(id);
        Assert.Equal(file.Length, final.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(3, final.GetProperty("parts_received").GetInt32());
        var complete = backend == "sandbox"
            ? await viaB.CompleteAsync(id)
            : await viaB.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } });
        var done = await ExpectAsync(complete, HttpStatusCode.OK);
        byte[] landed;
        if (backend == "sandbox")
        {
            using var sandbox = system.SandboxClient();
            landed = await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/survivor.bin");
        }
        else
        {
            using var box = system.BoxClient();
            landed = await box.GetByteArrayAsync($"/2.0/files/{done.GetProperty("result").GetProperty("file_id").GetString()}/content");
        }
        Assert.Equal(file, landed);
    }

    /// <summary>What a careful client does: on 429 or 503, wait Retry-After and send the part again.</summary>
    private static async Task PutWithRetriesAsync(ContractClient client, string id, int n, byte[] part)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.PutPartAsync(id, n, part);
            if (response.StatusCode == HttpStatusCode.OK || attempt == 20)
            {
                await ExpectAsync(response, HttpStatusCode.OK);
                return;
            }
            Assert.True(response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable,
                $"Unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 500 && !await condition(); i++)
        {
            await Task.Delay(10);
        }
    }
}
