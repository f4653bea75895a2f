using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>
/// The unmodified tus-js-client against two gateway processes on one Redis and both mocks: what a browser or
/// Node app using tus does, and the bytes checked where they landed each time.
/// </summary>
public sealed class TusClientTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task The_default_single_patch_lands_whole_at_the_sandbox()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(5 * PartSize + 1234, seed: 11);
        await run.UploadAsync(file, new { filename = "single.bin" });
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/single.bin"));
    }

    [Fact]
    public async Task Chunks_of_three_parts_and_a_bit_on_parts_of_eight_complete()
    {
        // 3 MiB chunks on 8 MiB parts, scaled down: chunks of 3/8 of a part.
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(4 * PartSize + 4321, seed: 12);
        await run.UploadAsync(file, new { filename = "chunked.bin" }, chunkSize: 3 * PartSize / 8);
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/chunked.bin"));
    }

    [Fact]
    public async Task Parallel_uploads_of_three_partials_are_concatenated_into_one_file()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(5 * PartSize + 77, seed: 18);
        var url = await run.UploadAsync(file, new { filename = "parallel.bin" }, parallelUploads: 3);
        Assert.Matches("/tus/up_[a-z2-7]{32}$", url);
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/parallel.bin"));
    }

    [Fact]
    public async Task An_upload_interrupted_on_one_instance_resumes_on_the_other_from_head()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(6 * PartSize + 99, seed: 13);
        var result = await TusJsClient.RunAsync(new
        {
            scenario = "interrupt",
            endpoint = run.A.BaseAddress + "tus/",
            resumeEndpoint = run.B.BaseAddress + "tus/",
            key = GatewayHarness.AcmeKey,
            file = run.Write(file),
            chunkSize = PartSize / 2 + 17,
            abortAfter = 2 * PartSize,
            metadata = new { filename = "resumed.bin" },
        });
        Assert.StartsWith(run.B.BaseAddress.ToString(), result.GetProperty("url").GetString());
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/resumed.bin"));
    }

    [Fact]
    public async Task The_default_single_patch_interrupted_mid_part_resumes_on_the_other_instance_from_head()
    {
        // No chunkSize: one PATCH for the whole file, broken off at a byte that is on no part boundary.
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(24 * PartSize + 321, seed: 22);
        // tus-js-client reports a single PATCH's progress only when its socket buffer is full, at most every 100 ms,
        // dropping the calls in between: a file that fits in the loopback buffers, or that lands within 100 ms,
        // would finish before a report reaches abortAfter. So the file is larger than those buffers, and the
        // sandbox holds each part back a moment: reports come, and when one breaks the PATCH off, most of the file
        // is still to send.
        using (var sandbox = run.System.Sandbox.CreateClient())
        {
            using var fault = await sandbox.PostAsJsonAsync("/_mock/faults", new { kind = "latency", method = "PUT", path = "/parts/", latency_ms = 150 });
            fault.EnsureSuccessStatusCode();
        }
        var result = await TusJsClient.RunAsync(new
        {
            scenario = "interrupt",
            endpoint = run.A.BaseAddress + "tus/",
            resumeEndpoint = run.B.BaseAddress + "tus/",
            key = GatewayHarness.AcmeKey,
            file = run.Write(file),
            abortAfter = 2 * PartSize + 12345,
            metadata = new { filename = "single-resumed.bin" },
        });
        Assert.StartsWith(run.B.BaseAddress.ToString(), result.GetProperty("url").GetString());
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/single-resumed.bin"));
    }

    [Fact]
    public async Task A_box_upload_is_chosen_by_metadata()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(3 * PartSize + 5, seed: 14);
        var url = await run.UploadAsync(file, new { backend = "box", folder_id = "0", filename = "tus-box.bin" }, chunkSize: PartSize + 3);
        using var client = run.A.CreateClient(GatewayHarness.AcmeKey);
        var session = JsonDocument.Parse(await client.GetStringAsync("/v1/uploads/" + url[(url.LastIndexOf('/') + 1)..])).RootElement;
        Assert.Equal("completed", session.GetProperty("status").GetString());
        using var box = run.System.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{session.GetProperty("result").GetProperty("file_id").GetString()}/content"));
    }

    [Fact]
    public async Task Abort_true_terminates_the_upload_and_its_backend_session()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        var file = TestData.Bytes(4 * PartSize, seed: 15);
        var result = await TusJsClient.RunAsync(new
        {
            scenario = "abort",
            endpoint = run.A.BaseAddress + "tus/",
            key = GatewayHarness.AcmeKey,
            file = run.Write(file),
            chunkSize = PartSize,
            abortAfter = PartSize,
            metadata = new { filename = "aborted.bin" },
        });
        var url = result.GetProperty("url").GetString()!;
        using var client = run.B.CreateClient(GatewayHarness.AcmeKey);
        using (var head = await client.SendAsync(Head(new Uri(url).AbsolutePath)))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
        var session = JsonDocument.Parse(await client.GetStringAsync("/v1/uploads/" + url[(url.LastIndexOf('/') + 1)..])).RootElement;
        Assert.Equal("aborted", session.GetProperty("status").GetString());
        using var sandbox = run.System.SandboxClient();
        using var landed = await sandbox.GetAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/tus/aborted.bin");
        Assert.Equal(HttpStatusCode.NotFound, landed.StatusCode);
    }

    [Fact]
    public async Task A_concurrent_patch_on_the_other_instance_is_423_while_the_first_writes()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        using var viaA = run.A.CreateClient(GatewayHarness.AcmeKey);
        using var viaB = run.B.CreateClient(GatewayHarness.AcmeKey);
        var file = TestData.Bytes(2 * PartSize, seed: 16);
        var location = await CreatedAsync(viaA, file.Length, Metadata(("filename", "locked.bin")));
        var started = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StalledContent(file, PartSize / 2, started, resume.Task) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.TryAddWithoutValidation("Upload-Offset", "0");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", OctetStream);
        var first = viaA.SendAsync(request);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        HttpResponseMessage second;
        // The first PATCH holds the lock from before its first byte is read; wait until its bytes are moving.
        for (var i = 0; ; i++)
        {
            second = await viaB.SendAsync(Patch(location, 0, file));
            if (second.StatusCode == HttpStatusCode.Locked || i == 50)
            {
                break;
            }
            second.Dispose();
            await Task.Delay(20);
        }
        await TusProtocolTests.ExpectProblemAsync(second, 423, "concurrency_limit");
        second.Dispose();
        resume.SetResult();
        using var done = await first;
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/locked.bin"));
    }

    [Fact]
    public async Task An_instance_killed_mid_patch_never_reports_bytes_it_did_not_keep_and_the_upload_finishes_on_the_other()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        using var viaA = run.A.CreateClient(GatewayHarness.AcmeKey);
        using var viaB = run.B.CreateClient(GatewayHarness.AcmeKey);
        var file = TestData.Bytes(4 * PartSize + 10, seed: 17);
        var location = await CreatedAsync(viaA, file.Length, Metadata(("filename", "killed.bin")));
        // A whole part and a half go through A, which is then killed with the PATCH still open.
        var started = new TaskCompletionSource();
        var never = new TaskCompletionSource();
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StalledContent(file, PartSize + PartSize / 2, started, never.Task) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.TryAddWithoutValidation("Upload-Offset", "0");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", OctetStream);
        var doomed = viaA.SendAsync(request);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => await HeadOffsetAsync(viaB, location) >= 0 && await PartsReceivedAsync(viaB, location) >= 1);
        run.A.Kill();
        never.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => doomed.WaitAsync(TimeSpan.FromSeconds(30)));

        var offset = await HeadOffsetAsync(viaB, location);
        Assert.InRange(offset, PartSize, PartSize + PartSize / 2);
        // Resume from HEAD on B (the writer lock of the dead instance lapses after the lease time).
        for (var attempt = 0; ; attempt++)
        {
            using var patch = await viaB.SendAsync(Patch(location, offset, file, (int)offset));
            if (patch.StatusCode == HttpStatusCode.NoContent || attempt == 30)
            {
                Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
                break;
            }
            Assert.Equal(HttpStatusCode.Locked, patch.StatusCode);
            await Task.Delay(500);
        }
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/killed.bin"));
    }

    [Theory]
    [InlineData("tail")]
    [InlineData("part")]
    public async Task An_instance_killed_mid_patch_with_a_staged_tail_reports_only_parts_and_durable_tail_and_the_upload_finishes_byte_exact(string mode)
    {
        // "tail": the PATCH's bytes do not finish the part, so they go to the staged tail.
        // "part": they finish it, so the part streams to the backend starting with the tail's bytes.
        await using var run = await TwoInstances.StartAsync(redis);
        using var viaA = run.A.CreateClient(GatewayHarness.AcmeKey);
        using var viaB = run.B.CreateClient(GatewayHarness.AcmeKey);
        var file = TestData.Bytes(3 * PartSize + 10, seed: 19);
        var location = await CreatedAsync(viaA, file.Length, Metadata(("filename", "killed-tail.bin")));
        var id = location["/tus/".Length..];
        var before = PartSize + PartSize / 4;
        using (var first = await viaA.SendAsync(Patch(location, 0, file, 0, before)))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal(before, Offset(first));
        }
        var tailFile = Path.Combine(run.StagingDirectory, id, "tail.2");
        Assert.Equal(PartSize / 4, new FileInfo(tailFile).Length);

        var length = mode == "tail" ? PartSize / 2 : file.Length - before;
        var started = new TaskCompletionSource();
        var never = new TaskCompletionSource();
        var request = new HttpRequestMessage(HttpMethod.Patch, location)
        {
            Content = new StalledContent(file.AsMemory(before, length).ToArray(), PartSize / 4, started, never.Task),
        };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.TryAddWithoutValidation("Upload-Offset", before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", OctetStream);
        var doomed = viaA.SendAsync(request);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Kill A with some of the bytes taken and the rest still to come: in "tail", once the tail has grown;
        // in "part", once part 2 is in flight to the backend.
        Assert.True(await WaitUntilAsync(mode == "tail"
            ? async () => await HeadOffsetAsync(viaB, location) > before
            : async () => JsonDocument.Parse(await viaB.GetStringAsync("/v1/uploads/" + id)).RootElement.GetProperty("parts_in_flight").GetInt32() == 1));
        run.A.Kill();
        never.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => doomed.WaitAsync(TimeSpan.FromSeconds(30)));

        // HEAD counts the parts the store holds and the tail on disk, nothing more, and the tail's bytes are the file's.
        var offset = await HeadOffsetAsync(viaB, location);
        Assert.Equal(1, await PartsReceivedAsync(viaB, location));
        var tail = await File.ReadAllBytesAsync(tailFile);
        Assert.Equal(PartSize + tail.Length, offset);
        Assert.Equal(file.AsSpan(PartSize, tail.Length).ToArray(), tail);
        if (mode == "tail")
        {
            Assert.InRange(offset, before + 1, before + PartSize / 4);
        }
        else
        {
            // The part being forwarded never counted: its first bytes are still the tail, unchanged.
            Assert.Equal(before, offset);
        }

        for (var attempt = 0; ; attempt++)
        {
            using var patch = await viaB.SendAsync(Patch(location, offset, file, (int)offset));
            if (patch.StatusCode == HttpStatusCode.NoContent || attempt == 30)
            {
                Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
                Assert.Equal(file.Length, Offset(patch));
                break;
            }
            Assert.Equal(HttpStatusCode.Locked, patch.StatusCode);
            await Task.Delay(500);
        }
        Assert.Equal(file, await run.SandboxFileAsync("/workspace/tus/killed-tail.bin"));
    }

    [Fact]
    public async Task A_box_upload_whose_commit_box_answers_202_completes_once_box_has_assembled_it()
    {
        await using var run = await TwoInstances.StartAsync(redis);
        await run.BoxAcceptsCommitsFirstAsync(2);
        var file = TestData.Bytes(2 * PartSize + 21, seed: 20);
        // tus-js-client's last PATCH waits while Box says 202 "processing" (Retry-After) and the gateway commits again.
        var url = await run.UploadAsync(file, new { backend = "box", folder_id = "0", filename = "tus-box-202.bin" }, chunkSize: PartSize / 2 + 1);
        using var client = run.B.CreateClient(GatewayHarness.AcmeKey);
        var session = JsonDocument.Parse(await client.GetStringAsync("/v1/uploads/" + url[(url.LastIndexOf('/') + 1)..])).RootElement;
        Assert.Equal("completed", session.GetProperty("status").GetString());
        using var box = run.System.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{session.GetProperty("result").GetProperty("file_id").GetString()}/content"));
    }

    [Fact]
    public async Task A_box_commit_still_assembling_when_the_patch_stops_waiting_is_finished_by_head_on_the_other_instance()
    {
        await using var run = await TwoInstances.StartAsync(redis, s => s["Gateway:Tus:CompletionWait"] = "00:00:00");
        await run.BoxAcceptsCommitsFirstAsync(2);
        using var viaA = run.A.CreateClient(GatewayHarness.AcmeKey);
        using var viaB = run.B.CreateClient(GatewayHarness.AcmeKey);
        var file = TestData.Bytes(PartSize + 3, seed: 21);
        var location = await CreatedAsync(viaA, file.Length, Metadata(("backend", "box"), ("folder_id", "0"), ("filename", "tus-box-head.bin")));
        using (var patch = await viaA.SendAsync(Patch(location, 0, file)))
        {
            // Every byte is stored: the offset is whole though Box has not finished (202), so the client is done.
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            Assert.Equal(file.Length, Offset(patch));
        }
        var id = location["/tus/".Length..];
        Assert.Equal("completing", await StatusAsync(viaB, id));
        string status;
        var heads = 0;
        do
        {
            // Each HEAD drives the commit again (tus has no complete call); Box's Retry-After is 1 s.
            await Task.Delay(1100);
            Assert.Equal(file.Length, await HeadOffsetAsync(viaB, location));
            status = await StatusAsync(viaB, id);
        }
        while (status != "completed" && ++heads < 20);
        Assert.Equal("completed", status);
        var session = JsonDocument.Parse(await viaB.GetStringAsync("/v1/uploads/" + id)).RootElement;
        using var box = run.System.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{session.GetProperty("result").GetProperty("file_id").GetString()}/content"));
    }

    private static async Task<string> StatusAsync(HttpClient client, string id) =>
        JsonDocument.Parse(await client.GetStringAsync("/v1/uploads/" + id)).RootElement.GetProperty("status").GetString()!;

    private static async Task<int> PartsReceivedAsync(HttpClient client, string location) =>
        JsonDocument.Parse(await client.GetStringAsync("/v1/uploads/" + location["/tus/".Length..])).RootElement.GetProperty("parts_received").GetInt32();

    /// <summary>Whether <paramref name="condition"/> came true.</summary>
    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        // Every 50 ms, for 30 s at most: polling faster would meet the tenant's request-rate limit on a slow machine.
        for (var i = 0; i < 600; i++)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>Both mocks in process, two gateway processes on one Redis sharing one tus staging directory.</summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private readonly string _files = Path.Combine(Path.GetTempPath(), "gateway-tests", "tus-files-" + Guid.NewGuid().ToString("N"));

        public GatewayHarness System { get; private init; } = null!;

        public GatewayProcess A { get; private set; } = null!;

        public GatewayProcess B { get; private set; } = null!;

        public string StagingDirectory => System.GatewaySettings["Gateway:Rechunking:StagingDirectory"]!;

        public static async Task<TwoInstances> StartAsync(RedisServer redis, Action<Dictionary<string, string?>>? settings = null)
        {
            var system = await GatewayHarness.StartAsync(redis, gateway: s =>
            {
                TusSettings.Apply(s);
                s["Gateway:Store:LeaseTtl"] = "00:00:02";
                settings?.Invoke(s);
            });
            var run = new TwoInstances { System = system };
            Directory.CreateDirectory(run._files);
            run.A = await GatewayProcess.StartAsync(system.GatewaySettings);
            run.B = await GatewayProcess.StartAsync(system.GatewaySettings);
            return run;
        }

        public string Write(byte[] file)
        {
            var path = Path.Combine(_files, Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(path, file);
            return path;
        }

        public async Task<string> UploadAsync(byte[] file, object metadata, int? chunkSize = null, int? parallelUploads = null)
        {
            var result = await TusJsClient.RunAsync(new
            {
                scenario = "upload",
                endpoint = A.BaseAddress + "tus/",
                key = GatewayHarness.AcmeKey,
                file = Write(file),
                chunkSize,
                parallelUploads,
                metadata,
            });
            return result.GetProperty("url").GetString()!;
        }

        /// <summary>Box answers the first <paramref name="count"/> commits of each session 202 (Retry-After: 1) before it commits.</summary>
        public async Task BoxAcceptsCommitsFirstAsync(int count)
        {
            using var box = System.Box.CreateClient();
            using var settings = await box.PatchAsync("/_mock/settings", ContractClient.Json($$"""{"commit_accepted_responses":{{count}}}"""));
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        public async Task<byte[]> SandboxFileAsync(string path)
        {
            using var sandbox = System.SandboxClient();
            return await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}");
        }

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
            await System.DisposeAsync();
            Directory.Delete(_files, recursive: true);
        }
    }
}
