using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Uploads;

/// <summary>
/// A commit that outlasts the request (<c>Uploads/CommitRunner</c>): the request answers 202 with Retry-After past
/// <c>Gateway:Completion:AnswerWithin</c>, the commit lands in the background, one commit per session across two
/// instances on one Redis, and neither an abort nor the client hanging up undoes it. The sandbox's commit is made
/// slow with the mock's latency fault.
/// </summary>
public sealed class BackgroundCommitTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(2);

    private Task<GatewayHarness> StartAsync(string answerWithin = "00:00:00.200", Action<Dictionary<string, string?>>? more = null) =>
        GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Completion:AnswerWithin"] = answerWithin;
            s["Gateway:Completion:RetryAfter"] = "00:00:01";
            more?.Invoke(s);
        });

    /// <summary>A staged sandbox upload of two parts, whose commit at the sandbox will take <see cref="Slow"/>.</summary>
    private static async Task<(string Id, byte[] File, string Path)> StageSlowCommitAsync(GatewayHarness system, ContractClient client, int seed)
    {
        var file = TestData.Bytes(PartSize + 4321, seed);
        var path = $"/workspace/commits/{Guid.NewGuid():N}.bin";
        var id = (await client.CreateSandboxFileAsync(file.Length, path)).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 2, file, PartSize);
        await client.PutPartOkAsync(id, 1, file, PartSize);
        using var mock = system.Sandbox.CreateClient();
        using var fault = await mock.PostAsJsonAsync("/_mock/faults", new { kind = "latency", method = "POST", path = "/complete", latency_ms = (int)Slow.TotalMilliseconds, count = 1 });
        fault.EnsureSuccessStatusCode();
        return (id, file, path);
    }

    private static async Task AssertLandedAsync(GatewayHarness system, string path, byte[] file)
    {
        using var sandbox = system.SandboxClient();
        var landed = await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}");
        Assert.Equal(TestData.Sha256Hex(file), TestData.Sha256Hex(landed));
    }

    [Fact]
    public async Task A_commit_that_outlasts_the_wait_answers_202_with_retry_after_and_lands_in_the_background()
    {
        await using var system = await StartAsync();
        using var client = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 31);

        using var first = await client.CompleteAsync(id, new { });
        var body = await ExpectAsync(first, HttpStatusCode.Accepted);
        Assert.Equal("completing", body.GetProperty("status").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), first.Headers.RetryAfter?.Delta);
        Assert.Equal($"/v1/uploads/{id}", first.Headers.Location?.OriginalString);

        var completed = await client.CompletedAsync(id);
        Assert.Equal(path, completed.GetProperty("result").GetProperty("path").GetString());
        Assert.Equal("completed", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task A_caller_that_does_not_wait_gets_the_commit_started_and_it_lands_in_the_background()
    {
        // As the staging sweep finishes uploads left completing: one slow commit must not hold up the others.
        await using var system = await StartAsync(answerWithin: "00:00:10");
        using var client = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 40);
        var lifecycle = system.Gateway.GetRequiredService<Gateway.Uploads.UploadLifecycle>();
        var acme = system.Gateway.GetRequiredService<Gateway.Auth.TenantDirectory>().TryGet("acme", out var tenant) ? tenant : throw new InvalidOperationException();

        var (session, retryAfter) = await lifecycle.CompleteAsync(acme, id, null, CancellationToken.None, answerWithin: TimeSpan.Zero);

        // Within AnswerWithin (10 s) the slow commit (2 s) would have been waited for and answered completed.
        Assert.Equal("completing", session.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.Equal("completed", (await client.SettledAsync(id)).GetProperty("status").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task A_complete_on_another_instance_while_one_commits_answers_202_and_does_not_commit_again()
    {
        await using var system = await StartAsync();
        await using var second = await system.StartGatewayAsync();
        using var a = new ContractClient(system.Client());
        using var b = new ContractClient(second.CreateClient(GatewayHarness.AcmeKey));
        var (id, file, path) = await StageSlowCommitAsync(system, a, seed: 32);

        await ExpectAsync(await a.CompleteAsync(id, new { }), HttpStatusCode.Accepted);
        // Were it to commit as well, the sandbox (its latency fault spent) would answer at once, and so would b: 200.
        using var meanwhile = await b.CompleteAsync(id, new { });
        Assert.Equal("completing", (await ExpectAsync(meanwhile, HttpStatusCode.Accepted)).GetProperty("status").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), meanwhile.Headers.RetryAfter?.Delta);

        await b.CompletedAsync(id);
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task An_abort_while_the_commit_runs_is_refused_and_the_commit_lands()
    {
        await using var system = await StartAsync();
        using var client = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 33);

        await ExpectAsync(await client.CompleteAsync(id, new { }), HttpStatusCode.Accepted);
        var problem = await ExpectProblemAsync(await client.AbortAsync(id), 409, "invalid_state");
        Assert.Contains("being completed", problem.GetProperty("detail").GetString());

        await client.CompletedAsync(id);
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task A_client_that_hangs_up_on_its_complete_does_not_undo_the_commit()
    {
        await using var system = await StartAsync(answerWithin: "00:01:00");
        using var client = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 34);

        using (var impatient = system.Client())
        {
            impatient.Timeout = TimeSpan.FromMilliseconds(300);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.PostAsync($"/v1/uploads/{id}/complete", Json(new { })));
        }

        // No complete is sent again: the one the client gave up on goes through by itself.
        Assert.Equal("completed", (await client.SettledAsync(id)).GetProperty("status").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task An_instance_that_stops_while_it_commits_finishes_the_commit_first()
    {
        await using var system = await StartAsync();
        var second = await system.StartGatewayAsync();
        using var client = new ContractClient(system.Client());
        using var onSecond = new ContractClient(second.CreateClient(GatewayHarness.AcmeKey));
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 35);

        await ExpectAsync(await onSecond.CompleteAsync(id, new { }), HttpStatusCode.Accepted);
        await second.DisposeAsync();

        Assert.Equal("completed", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task A_commit_cut_by_a_killed_instance_is_taken_up_by_the_next_complete_elsewhere_once_its_lock_lapses()
    {
        await using var system = await StartAsync(more: s => s["Gateway:Store:LeaseTtl"] = "00:00:02");
        using var survivor = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, survivor, seed: 37);
        await using var doomed = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var viaDoomed = new ContractClient(doomed.CreateClient(GatewayHarness.AcmeKey));

        await ExpectAsync(await viaDoomed.CompleteAsync(id, new { }), HttpStatusCode.Accepted);
        doomed.Kill();
        // The dead instance's lock holds until it lapses: until then a complete is told to wait, not run twice.
        await ExpectAsync(await survivor.CompleteAsync(id, new { }), HttpStatusCode.Accepted);

        var completed = await survivor.CompletedAsync(id);
        Assert.Equal(path, completed.GetProperty("result").GetProperty("path").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task A_passing_backend_failure_after_the_202_is_outlasted_by_the_gateway_without_another_complete()
    {
        await using var system = await StartAsync();
        using var client = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 38);
        // The slow commit then fails (503), and so do the control plane's two retries of it.
        using (var mock = system.Sandbox.CreateClient())
        {
            (await mock.PostAsJsonAsync("/_mock/faults", new { kind = "error", method = "POST", path = "/complete", status = 503, count = 3 })).EnsureSuccessStatusCode();
        }

        await ExpectAsync(await client.CompleteAsync(id, new { }), HttpStatusCode.Accepted);

        Assert.Equal("completed", (await client.SettledAsync(id)).GetProperty("status").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Fact]
    public async Task A_box_commit_still_assembling_is_asked_again_by_the_gateway_until_it_lands()
    {
        await using var system = await GatewayHarness.StartAsync(redis, box: s => s["MockBox:CommitAcceptedResponses"] = "2");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize + 5, seed: 39);
        var id = (await client.CreateBoxFileAsync(file.Length, $"{Guid.NewGuid():N}.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } }), HttpStatusCode.Accepted);

        // Box answers 202 twice (Retry-After: 1): no complete is sent again, as a tus client, done with its last PATCH, sends none.
        Assert.Equal("completed", (await client.SettledAsync(id)).GetProperty("status").GetString());
        var fileId = (await client.GetOkAsync(id)).GetProperty("result").GetProperty("file_id").GetString();
        using var box = system.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{fileId}/content"));
    }

    [Fact]
    public async Task A_commit_within_the_wait_answers_200_as_before()
    {
        await using var system = await StartAsync(answerWithin: "00:00:10");
        using var client = new ContractClient(system.Client());
        var (id, file, path) = await StageSlowCommitAsync(system, client, seed: 36);

        var completed = await ExpectAsync(await client.CompleteAsync(id, new { }), HttpStatusCode.OK);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        await AssertLandedAsync(system, path, file);
    }

    [Theory]
    [InlineData("AnswerWithin", "00:00:00")]
    [InlineData("AnswerWithin", "00:11:00")]
    [InlineData("RetryAfter", "00:00:00.500")]
    public async Task A_completion_setting_out_of_range_stops_the_gateway_at_start_up_naming_it(string field, string value)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            GatewayHarness.StartAsync(gateway: s => s[$"Gateway:Completion:{field}"] = value));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }
}
