using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Client.Tests.Support;
using Gateway.Tests.Support;
using UploadGateway.Client;

namespace Client.Tests.Uploads;

/// <summary>
/// The client's whole-upload logic (parallel parts, digests, retries, resume, complete's polling) against the
/// real gateway and mocks, with faults injected into the mocks. One class, one system: faults are global to a mock.
/// </summary>
public sealed class FileUploadTests(SystemFixture system) : IClassFixture<SystemFixture>, IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;

    public Task InitializeAsync() => Task.WhenAll(
        SystemFixture.ClearFaultsAsync(system.Harness.Sandbox), SystemFixture.ClearFaultsAsync(system.Harness.Box));

    public Task DisposeAsync() => InitializeAsync();

    [Fact]
    public async Task An_upload_finishes_when_the_backend_answers_503_to_two_parts()
    {
        var file = system.NewFile(6L * PartSize + 123, seed: 80);
        await SystemFixture.InjectAsync(system.Harness.Sandbox, new { kind = "error", method = "PUT", path = "/parts/", status = 503, count = 2, retry_after = 1 });
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);
        var reports = new ConcurrentQueue<UploadProgress>();

        var session = await client.UploadFileAsync(file, new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/retried.bin")),
            new FileUploadOptions { Progress = new Collect(reports) });

        Assert.Equal(UploadStatuses.Completed, session.Status);
        Assert.Equal(7 + 2, handler.Count(HttpMethod.Put, "/parts/"));
        Assert.Equal(2, handler.Requests.Count(r => r.Method == HttpMethod.Put && r.Status == 503));
        Assert.Equal(2, reports.Last().Retries);
        await system.AssertInSandboxAsync(file, "/workspace/up/retried.bin");
    }

    [Fact]
    public async Task A_refusal_the_contract_does_not_call_retryable_is_not_retried()
    {
        var file = system.NewFile(2L * PartSize, seed: 81);
        // The sandbox refusing a part's bytes: the gateway cannot map it to anything a retry would change.
        await SystemFixture.InjectAsync(system.Harness.Sandbox, new { kind = "error", method = "PUT", path = "/parts/", status = 400, code = "invalid_request", count = 1 });
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);

        var error = await Assert.ThrowsAsync<GatewayException>(() => client.UploadFileAsync(file,
            new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/refused.bin")),
            new FileUploadOptions { MaxConcurrency = 1 }));

        Assert.False(error.IsRetryable, error.Message);
        Assert.Equal(1, handler.Count(HttpMethod.Put, "/parts/"));
        Assert.Equal(0, handler.Count(HttpMethod.Post, "/complete"));
    }

    [Fact]
    public async Task Complete_is_repeated_after_Retry_After_while_box_still_assembles()
    {
        var file = system.NewFile(3L * PartSize + 5, seed: 82);
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);

        var session = await client.UploadFileAsync(file, new UploadDestination("box", UploadTarget.BoxFolder("0", "polled.bin")));

        Assert.Equal(UploadStatuses.Completed, session.Status);
        // The system's Box answers the first commit with 202 (CommitAcceptedResponses = 1). The gateway asks Box again
        // after the same Retry-After, so the client's second complete may find that attempt running (202 once more).
        Assert.InRange(handler.Count(HttpMethod.Post, "/complete"), 2, 3);
        Assert.Equal(SystemFixture.Sha1Hex(file), session.Result!.Sha1);
        await system.AssertInBoxAsync(file, session.Result.FileId!);
    }

    [Fact]
    public async Task Box_parts_carry_their_sha1_alone_so_the_gateway_neither_spools_nor_hashes_them()
    {
        var file = system.NewFile(2L * PartSize, seed: 83);
        var handler = new DigestCapture();
        using var client = system.Client(handler: handler);

        await client.UploadFileAsync(file, new UploadDestination("box", UploadTarget.BoxFolder("0", "digests.bin")));

        var bytes = await File.ReadAllBytesAsync(file);
        var expected = Enumerable.Range(1, 2)
            .Select(n => TestData.ContentDigest(bytes.AsSpan((n - 1) * PartSize, PartSize), sha256: false, sha1: true))
            .ToHashSet();
        Assert.Equal(expected, handler.Digests.ToHashSet());
    }

    [Fact]
    public async Task Parts_in_flight_never_exceed_the_sessions_max_concurrency()
    {
        // A sandbox whose sessions take 2 parts at once; the client asks for 8.
        using (var mock = system.Harness.Sandbox.CreateClient())
        {
            var created = await mock.PostAsJsonAsync("/_mock/sandboxes", new { id = "sb_narrow01", max_concurrency = 2, part_size = PartSize });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }
        await SystemFixture.InjectAsync(system.Harness.Sandbox, new { kind = "latency", method = "PUT", path = "/parts/", latency_ms = 50 });
        var file = system.NewFile(8L * PartSize, seed: 84);
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);
        UploadSession? started = null;

        await client.UploadFileAsync(file, new UploadDestination("sandbox", UploadTarget.Sandbox("sb_narrow01", "/workspace/narrow.bin")),
            new FileUploadOptions { MaxConcurrency = 8, Started = s => started = s });

        Assert.Equal(2, started!.MaxConcurrency);
        Assert.Equal(2, handler.MaxPartsInFlight);
        Assert.DoesNotContain(handler.Requests, r => r.Status == 429);
    }

    [Fact]
    public async Task Resume_sends_only_the_missing_parts_and_completes()
    {
        var file = system.NewFile(5L * PartSize + 10, seed: 85);
        var bytes = await File.ReadAllBytesAsync(file);
        using var setup = system.Client();
        var session = await setup.CreateUploadAsync(new()
        {
            Backend = "box",
            Target = UploadTarget.BoxFolder("0", "resumed.bin"),
            ContentLength = bytes.Length,
        });
        await setup.PutPartAsync(session.UploadId, 1, bytes.AsMemory(0, PartSize), includeSha1: true);
        await setup.PutPartAsync(session.UploadId, 4, bytes.AsMemory(3 * PartSize, PartSize), includeSha1: true);
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);

        var done = await client.ResumeAsync(session.UploadId, file);

        Assert.Equal(UploadStatuses.Completed, done.Status);
        Assert.Equal([2, 3, 5, 6], handler.PartsSent.Order());
        await system.AssertInBoxAsync(file, done.Result!.FileId!);
    }

    // Each backend's parts are compared by the digest it knows them by: the sandbox's SHA-256, Box's SHA-1.
    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task Resume_with_other_bytes_in_a_received_part_fails_before_sending_anything(string backend)
    {
        var file = system.NewFile(3L * PartSize, seed: 86);
        var other = system.NewFile(3L * PartSize, seed: 87);
        using var setup = system.Client();
        var session = await setup.CreateUploadAsync(new()
        {
            Backend = backend,
            Target = backend == "box" ? UploadTarget.BoxFolder("0", "mixed.bin") : UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/mixed.bin"),
            ContentLength = 3L * PartSize,
        });
        await setup.PutPartAsync(session.UploadId, 3, (await File.ReadAllBytesAsync(file)).AsMemory(2 * PartSize), includeSha1: backend == "box");
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);

        var error = await Assert.ThrowsAsync<UploadContentMismatchException>(() => client.ResumeAsync(session.UploadId, other, new FileUploadOptions { MaxConcurrency = 1 }));

        Assert.Equal(3, error.PartNumber);
        Assert.Equal(session.UploadId, error.UploadId);
        // With one worker and a queue of one, at most the parts before the mismatch can have gone out.
        Assert.All(handler.PartsSent, n => Assert.True(n < 3));
        Assert.Equal(0, handler.Count(HttpMethod.Post, "/complete"));
    }

    [Fact]
    public async Task A_directory_upload_resumes_from_the_same_directory_because_its_archive_is_rebuilt_identically()
    {
        var directory = system.NewDirectory();
        SystemFixture.WriteFile(Path.Combine(directory, "one.bin"), 2L * PartSize + 7, seed: 93);
        Directory.CreateDirectory(Path.Combine(directory, "sub"));
        SystemFixture.WriteFile(Path.Combine(directory, "sub", "two.bin"), PartSize, seed: 94);
        using var client = system.Client();
        UploadSession session;
        // The first attempt got as far as part 2, then its archive (a temporary file) was gone with it.
        await using (var first = await UploadGateway.Client.Uploads.DirectoryArchive.CreateAsync(directory, null, CancellationToken.None))
        {
            session = await client.CreateUploadAsync(new()
            {
                Backend = "sandbox",
                Target = UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/tree"),
                Kind = UploadKinds.DirectoryTar,
                ContentLength = first.Length,
            });
            var bytes = await File.ReadAllBytesAsync(first.Path);
            await client.PutPartAsync(session.UploadId, 2, bytes.AsMemory(PartSize, PartSize));
        }

        var done = await client.ResumeAsync(session.UploadId, directory);

        Assert.Equal(UploadStatuses.Completed, done.Status);
        Assert.Equal(2, done.Result!.FileCount);
        await system.AssertInSandboxAsync(Path.Combine(directory, "one.bin"), "/workspace/up/tree/one.bin");
        await system.AssertInSandboxAsync(Path.Combine(directory, "sub", "two.bin"), "/workspace/up/tree/sub/two.bin");
    }

    [Fact]
    public async Task A_directory_that_changed_since_cannot_resume_its_upload()
    {
        var directory = system.NewDirectory();
        SystemFixture.WriteFile(Path.Combine(directory, "one.bin"), 3L * PartSize, seed: 95);
        using var client = system.Client();
        UploadSession session;
        await using (var first = await UploadGateway.Client.Uploads.DirectoryArchive.CreateAsync(directory, null, CancellationToken.None))
        {
            session = await client.CreateUploadAsync(new()
            {
                Backend = "sandbox",
                Target = UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/changed"),
                Kind = UploadKinds.DirectoryTar,
                ContentLength = first.Length,
            });
            await client.PutPartAsync(session.UploadId, 2, (await File.ReadAllBytesAsync(first.Path)).AsMemory(PartSize, PartSize));
        }
        // Same length, other bytes in the middle of the file: only the digests can tell.
        await using (var file = File.OpenWrite(Path.Combine(directory, "one.bin")))
        {
            file.Position = PartSize + 100;
            file.WriteByte(0x5a);
            file.WriteByte(0xa5);
        }

        var error = await Assert.ThrowsAsync<UploadContentMismatchException>(() => client.ResumeAsync(session.UploadId, directory));

        Assert.Equal(2, error.PartNumber);
    }

    [Fact]
    public async Task A_file_of_another_length_cannot_resume_an_upload()
    {
        var file = system.NewFile(PartSize, seed: 88);
        using var client = system.Client();
        var session = await client.CreateUploadAsync(new()
        {
            Backend = "sandbox",
            Target = UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/length.bin"),
            ContentLength = PartSize + 1,
        });

        var error = await Assert.ThrowsAsync<UploadContentMismatchException>(() => client.ResumeAsync(session.UploadId, file));

        Assert.Contains($"{PartSize + 1}", error.Message);
        Assert.Null(error.PartNumber);
    }

    [Fact]
    public async Task Resuming_a_completed_upload_returns_it_without_sending_anything()
    {
        var file = system.NewFile(PartSize / 2, seed: 89);
        using var setup = system.Client();
        var done = await setup.UploadFileAsync(file, new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/twice.bin")));
        var handler = new RecordingHandler();
        using var client = system.Client(handler: handler);

        var again = await client.ResumeAsync(done.UploadId, file);

        Assert.Equal(UploadStatuses.Completed, again.Status);
        Assert.Equal([(HttpMethod.Get, "/v1/uploads/" + done.UploadId, 200)], handler.Requests);
    }

    [Fact]
    public async Task Every_request_of_one_upload_belongs_to_one_trace_at_the_gateway()
    {
        var file = system.NewFile(4L * PartSize + 5, seed: 93);
        var port = system.GatewayUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var seen = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("server.port")?.ToString() == port)
                {
                    seen.Enqueue(activity);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var client = system.Client();

        var session = await client.UploadFileAsync(file, new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/traced.bin")));

        var requests = seen.Where(a => (a.GetTagItem("url.path")?.ToString() ?? "").Contains(session.UploadId, StringComparison.Ordinal)
            || a.GetTagItem("upload.id")?.ToString() == session.UploadId).ToList();
        Assert.True(requests.Count >= 5 + 2, $"only {requests.Count} requests of the upload were seen");
        Assert.Single(requests.Select(a => a.TraceId).Distinct());
    }

    [Fact]
    public async Task An_empty_file_uploads_with_no_parts()
    {
        var file = system.NewFile(0);
        using var client = system.Client();

        var session = await client.UploadFileAsync(file, new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/empty.bin")));

        Assert.Equal(UploadStatuses.Completed, session.Status);
        Assert.Equal(0, session.Result!.Size);
    }

    [Fact]
    public async Task Progress_runs_from_the_first_byte_to_the_last_and_ends_completed()
    {
        var file = system.NewFile(10L * PartSize, seed: 90);
        var reports = new ConcurrentQueue<UploadProgress>();
        using var client = system.Client();

        await client.UploadFileAsync(file, new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/progress.bin")),
            new FileUploadOptions { Progress = new Collect(reports), ProgressInterval = TimeSpan.Zero });

        var all = reports.ToList();
        Assert.True(all.Count > 10, $"only {all.Count} reports");
        Assert.All(all, p => Assert.InRange(p.BytesUploaded, 0, 10L * PartSize));
        Assert.Equal(Enumerable.Range(1, 10), all.Where(p => p.Phase == UploadPhase.Uploading).Select(p => p.PartsDone).Distinct().Where(n => n > 0).Order());
        Assert.Equal(UploadPhase.Completing, all[^2].Phase);
        var last = all[^1];
        Assert.Equal((UploadPhase.Completed, 10L * PartSize, 10, 10), (last.Phase, last.BytesUploaded, last.PartsDone, last.PartCount));
    }

    private sealed class Collect(ConcurrentQueue<UploadProgress> into) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => into.Enqueue(value);
    }

    /// <summary>Records the <c>Content-Digest</c> of every part the gateway accepted.</summary>
    private sealed class DigestCapture() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly ConcurrentQueue<string> _digests = new();

        public IEnumerable<string> Digests => _digests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Put && response.StatusCode == HttpStatusCode.OK)
            {
                _digests.Enqueue(string.Join(", ", request.Headers.GetValues("Content-Digest")));
            }
            return response;
        }
    }
}
