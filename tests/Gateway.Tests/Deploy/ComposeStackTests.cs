using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;

namespace Gateway.Tests.Deploy;

/// <summary>
/// deploy/compose.yaml as an operator runs it, with the images deploy/images/build.sh built: three gateway replicas
/// on a three-master Redis Cluster behind haproxy. A 200 MiB v1 upload and a tus-js-client upload go through the
/// balancer, their parts landing on every replica (each replica's own request log shows it); one replica is killed
/// with v1 parts in flight on it, another stopped (SIGTERM: the drain) with v1 parts in flight on it, and both uploads
/// complete byte-exact. <c>down -v</c> leaves nothing of the stack behind.
/// </summary>
/// <remarks>
/// The parts in flight are held open by their client (half their bytes sent) until the replica has been killed or has
/// begun to drain, and tus-js-client waits at a gate file before its next PATCH: no step depends on timing.
/// </remarks>
public sealed class ComposeStackTests : IDisposable
{
    private const int FileBytes = 200 * 1024 * 1024;
    private const int TusBytes = 24 * 1024 * 1024;
    private const string SandboxFiles = "/var/lib/mock-sandbox/sandboxes/sb_dev00001/fs";

    private readonly string _work = Path.Combine(Path.GetTempPath(), "gateway-tests", "compose-" + Guid.NewGuid().ToString("N"));

    public ComposeStackTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [ComposeFact]
    public async Task Three_replicas_on_a_redis_cluster_behind_haproxy_finish_a_v1_and_a_tus_upload_through_a_kill_and_a_drain()
    {
        await using var stack = await ComposeStack.UpAsync(replicas: 3, new Dictionary<string, string>
        {
            ["GATEWAY_REDIS"] = "redis-node-1:6379,redis-node-2:6379,redis-node-3:6379",
            ["GATEWAY_REQUEST_LOG"] = "Information",
            // A part whose replica was killed is free again after this, rather than the default 30 s.
            ["GATEWAY_LEASE_TTL"] = "00:00:05",
            ["GATEWAY_DRAIN_DELAY"] = "00:00:03",
        });
        var replicas = await stack.ContainersAsync("gateway");
        Assert.Equal(3, replicas.Count);
        await WaitUntilAsync(async () => (await stack.LogsAsync((await stack.ContainersAsync("lb"))[0])).Contains("3 active and 0 backup servers online", StringComparison.Ordinal),
            "haproxy never saw three ready replicas");
        using var http = new HttpClient { BaseAddress = stack.Url, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ComposeStack.DevKey);

        var file = TestData.Bytes(FileBytes, seed: 71);
        var tusFile = TestData.Bytes(TusBytes, seed: 72);
        var tusPath = Path.Combine(_work, "tus.bin");
        await File.WriteAllBytesAsync(tusPath, tusFile);
        var v1 = await V1Upload.CreateAsync(http, file, "/workspace/compose-v1.bin");
        var kill = Path.Combine(_work, "after-kill");
        var stop = Path.Combine(_work, "after-stop");
        var tus = TusJsClient.RunAsync(new
        {
            scenario = "gated",
            endpoint = stack.Url + "tus/",
            key = ComposeStack.DevKey,
            file = tusPath,
            chunkSize = 1024 * 1024,
            metadata = new { filename = "compose-tus.bin" },
            retryDelays = new[] { 500, 1000, 2000, 3000, 5000, 5000, 5000, 10000, 10000 },
            gates = new[] { new { after = TusBytes / 3, open = kill }, new { after = 2 * TusBytes / 3, open = stop } },
        });

        // A third of both before anything happens to the replicas.
        await v1.SendAsync(Enumerable.Range(1, 8));
        await WaitUntilAsync(() => Task.FromResult(File.Exists(kill + ".reached") || tus.IsCompleted), "tus-js-client never reached its first gate");
        Assert.False(tus.IsCompleted, "tus-js-client finished before its first gate");

        // Killed (SIGKILL) with parts in flight on it: those fail, and the client sends them again through the balancer.
        var (killed, heldOnKilled) = await v1.HoldAsync(stack, replicas, [9, 10, 11, 12], except: []);
        await stack.DockerAsync(TimeSpan.FromMinutes(1), "kill", killed);
        v1.Release();
        await v1.FinishHeldAsync();
        Assert.NotEmpty(heldOnKilled);
        await File.WriteAllTextAsync(kill, "");
        await v1.SendAsync(Enumerable.Range(13, 6));
        await WaitUntilAsync(() => Task.FromResult(File.Exists(stop + ".reached") || tus.IsCompleted), "tus-js-client never reached its second gate");
        Assert.False(tus.IsCompleted, "tus-js-client finished before its second gate");

        // Stopped (SIGTERM) with parts in flight on it: it drains, and every one of them is answered 200 by it.
        var (stopped, heldOnStopped) = await v1.HoldAsync(stack, replicas, [19, 20, 21, 22], except: [killed]);
        var stopping = stack.DockerAsync(TimeSpan.FromMinutes(2), "stop", stopped);
        await WaitUntilAsync(async () => (await stack.LogsAsync(stopped)).Contains("Draining: /readyz answers 503", StringComparison.Ordinal), "the stopped replica never began to drain");
        v1.Release();
        var answeredByStopped = await v1.FinishHeldAsync();
        Assert.All(heldOnStopped, n => Assert.Equal(1, answeredByStopped[n]));
        await stopping;
        Assert.Equal("0", (await stack.DockerAsync(TimeSpan.FromMinutes(1), "inspect", "-f", "{{.State.ExitCode}}", stopped)).Trim());
        await File.WriteAllTextAsync(stop, "");

        await v1.SendAsync(Enumerable.Range(23, v1.PartCount - 22));
        var status = await v1.CompleteAsync();
        Assert.Equal(FileBytes, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(v1.PartCount, status.GetProperty("parts_received").GetInt32());
        await tus.WaitAsync(TimeSpan.FromMinutes(5));

        var sandbox = (await stack.ContainersAsync("mock-sandbox"))[0];
        Assert.Equal(Sha256(file), await Sha256InAsync(stack, sandbox, $"{SandboxFiles}/workspace/compose-v1.bin"));
        Assert.Equal(Sha256(tusFile), await Sha256InAsync(stack, sandbox, $"{SandboxFiles}/workspace/uploads/compose-tus.bin"));

        // Every replica served parts of both uploads: its own request log says so.
        foreach (var replica in replicas)
        {
            var log = await stack.LogsAsync(replica);
            Assert.True(log.Contains($"PUT {stack.Url}v1/uploads/{v1.Id}/parts/", StringComparison.Ordinal), $"replica {replica} served no v1 part");
            Assert.True(log.Contains($"PATCH {stack.Url}tus/", StringComparison.Ordinal), $"replica {replica} served no tus PATCH");
        }

        await stack.DownAsync();
        Assert.Equal("", await stack.LeftoversAsync());
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<string> Sha256InAsync(ComposeStack stack, string container, string path) =>
        (await stack.DockerAsync(TimeSpan.FromMinutes(1), "exec", container, "sha256sum", path)).Split(' ')[0];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        for (var i = 0; i < 1200; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail(failure);
    }

    /// <summary>The v1 client: parts through the balancer, each resent after a cut connection or a 429/503 as the contract says.</summary>
    private sealed class V1Upload(HttpClient http, byte[] file, string id, long partSize)
    {
        private readonly Dictionary<int, Task<int>> _held = [];
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Id => id;

        public int PartCount => (int)((file.Length + partSize - 1) / partSize);

        public static async Task<V1Upload> CreateAsync(HttpClient http, byte[] file, string path)
        {
            using var response = await http.PostAsJsonAsync("/v1/uploads", new
            {
                backend = "sandbox",
                target = new { sandbox_id = "sb_dev00001", path },
                content_length = file.Length,
                conflict = "replace",
            });
            var body = await ContractClient.ExpectAsync(response, HttpStatusCode.Created);
            return new V1Upload(http, file, body.GetProperty("upload_id").GetString()!, body.GetProperty("part_size").GetInt64());
        }

        public Task SendAsync(IEnumerable<int> parts) =>
            Parallel.ForEachAsync(parts, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (n, _) => await PutAsync(n, held: false));

        /// <summary>
        /// Sends <paramref name="parts"/> with half their bytes, held there until <see cref="Release"/>, and returns a
        /// replica (not in <paramref name="except"/>) whose log shows at least one of them arrived, and which.
        /// </summary>
        public async Task<(string Replica, List<int> Parts)> HoldAsync(ComposeStack stack, IReadOnlyList<string> replicas, int[] parts, string[] except)
        {
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = parts.ToDictionary(n => n, n => new TaskCompletionSource());
            foreach (var n in parts)
            {
                _held[n] = PutAsync(n, held: true, started[n]);
            }
            await Task.WhenAll(started.Values.Select(s => s.Task)).WaitAsync(TimeSpan.FromMinutes(1));
            for (var attempt = 0; attempt < 600; attempt++)
            {
                foreach (var replica in replicas.Except(except))
                {
                    var log = await stack.LogsAsync(replica);
                    var here = parts.Where(n => log.Contains($"PUT {stack.Url}v1/uploads/{id}/parts/{n} ", StringComparison.Ordinal)).ToList();
                    if (here.Count > 0)
                    {
                        return (replica, here);
                    }
                }
                await Task.Delay(100);
            }
            throw new InvalidOperationException("no held part showed up in a replica's log");
        }

        public void Release() => _release.TrySetResult();

        /// <summary>Waits for the held parts; per part, how many attempts it took to be answered 200.</summary>
        public async Task<Dictionary<int, int>> FinishHeldAsync()
        {
            var attempts = new Dictionary<int, int>();
            foreach (var (n, put) in _held)
            {
                attempts[n] = await put.WaitAsync(TimeSpan.FromMinutes(3));
            }
            _held.Clear();
            return attempts;
        }

        public async Task<JsonElement> CompleteAsync()
        {
            using (var complete = await http.PostAsync($"/v1/uploads/{id}/complete", null))
            {
                await ContractClient.ExpectAsync(complete, HttpStatusCode.OK);
            }
            using var status = await http.GetAsync($"/v1/uploads/{id}");
            return await ContractClient.ExpectAsync(status, HttpStatusCode.OK);
        }

        private async Task<int> PutAsync(int n, bool held, TaskCompletionSource? started = null)
        {
            var bytes = ContractClient.Slice(file, n, partSize);
            for (var attempt = 1; ; attempt++)
            {
                HttpContent content = held && attempt == 1
                    ? new StalledContent(bytes, bytes.Length / 2, started!, _release.Task)
                    : new ByteArrayContent(bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                TimeSpan wait;
                try
                {
                    using var response = await http.PutAsync($"/v1/uploads/{id}/parts/{n}", content);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return attempt;
                    }
                    Assert.True(response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway,
                        $"part {n}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                }
                catch (HttpRequestException)
                {
                    // The connection was cut (its replica killed): resend.
                    wait = TimeSpan.FromMilliseconds(200);
                }
                Assert.True(attempt < 60, $"part {n} was never accepted");
                await Task.Delay(wait);
            }
        }
    }
}
