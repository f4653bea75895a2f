using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json;
using Gateway.Expiry;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api.V1;

/// <summary>The contract (README.md): status, resume, complete, abort, expiry, listing.</summary>
public sealed class LifecycleTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task After_a_client_crash_one_status_call_tells_what_to_resend()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(7 * PartSize, seed: 5);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/resume.bin")).GetProperty("upload_id").GetString()!;
        foreach (var n in new[] { 1, 2, 4, 7 })
        {
            await client.PutPartOkAsync(id, n, file, PartSize);
        }

        // A new client, as after a crash, asks where things stand.
        using var resumed = new ContractClient(system.Client());
        var status = await resumed.GetOkAsync(id);

        Assert.Equal("uploading", status.GetProperty("status").GetString());
        Assert.Equal(3, status.GetProperty("next_part").GetInt32());
        Assert.Equal("3,5-6", status.GetProperty("missing_parts").GetString());
        Assert.Equal(4 * PartSize, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(4, status.GetProperty("parts_received").GetInt32());

        foreach (var n in new[] { 3, 5, 6 })
        {
            await resumed.PutPartOkAsync(id, n, file, PartSize);
        }
        using var complete = await resumed.CompleteAsync(id);
        await ExpectAsync(complete, HttpStatusCode.OK);
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/resume.bin"));
    }

    [Fact]
    public async Task The_parts_list_pages_ascending()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(5 * PartSize);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/pages.bin")).GetProperty("upload_id").GetString()!;
        foreach (var n in new[] { 5, 1, 3, 2 })
        {
            await client.PutPartOkAsync(id, n, file, PartSize);
        }

        var first = await ExpectAsync(await client.Http.GetAsync($"/v1/uploads/{id}/parts?limit=2"), HttpStatusCode.OK);
        var second = await ExpectAsync(await client.Http.GetAsync($"/v1/uploads/{id}/parts?limit=2&after={first.GetProperty("next_after").GetInt32()}"), HttpStatusCode.OK);

        Assert.Equal([1, 2], first.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("part_number").GetInt32()));
        Assert.Equal([3, 5], second.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("part_number").GetInt32()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_after").ValueKind);
        var three = second.GetProperty("parts")[0];
        Assert.Equal(2 * PartSize, three.GetProperty("offset").GetInt64());
        Assert.Equal(TestData.Sha256Hex(Slice(file, 3, PartSize)), three.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task An_empty_upload_has_no_parts_and_completes_at_once()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());

        var created = await client.CreateSandboxFileAsync(0, "/workspace/empty.bin");
        Assert.Equal(0, created.GetProperty("part_count").GetInt32());
        Assert.Equal("staged", created.GetProperty("status").GetString());

        var done = await ExpectAsync(await client.CompleteAsync(created.GetProperty("upload_id").GetString()!), HttpStatusCode.OK);
        Assert.Equal(0, done.GetProperty("result").GetProperty("size").GetInt64());
        using var sandbox = system.SandboxClient();
        Assert.Empty(await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/empty.bin"));
    }

    [Fact]
    public async Task Completing_before_every_part_arrived_names_the_missing_ones()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(4 * PartSize);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/early.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 2, file, PartSize);

        using var response = await client.CompleteAsync(id);

        var problem = await ExpectProblemAsync(response, 409, "parts_missing");
        Assert.Equal("1,3-4", problem.GetProperty("missing_parts").GetString());
    }

    [Fact]
    public async Task Completing_a_box_upload_without_the_whole_files_sha1_is_refused()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize + 1);
        var id = (await client.CreateBoxFileAsync(file.Length, "nosha.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        using var response = await client.CompleteAsync(id, new { checksum = new { sha256 = TestData.Sha256Hex(file) } });

        await ExpectProblemAsync(response, 400, "checksum_required");
        Assert.Equal("staged", (await client.GetOkAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Box_still_assembling_answers_202_with_retry_after_and_a_repeated_complete_finishes()
    {
        await using var system = await GatewayHarness.StartAsync(redis, box: s => s["MockBox:CommitAcceptedResponses"] = "1");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 8);
        var id = (await client.CreateBoxFileAsync(file.Length, "slow.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);
        var checksum = new { checksum = new { sha1 = TestData.Sha1Hex(file) } };

        using var first = await client.CompleteAsync(id, checksum);
        var pending = await ExpectAsync(first, HttpStatusCode.Accepted);
        Assert.Equal("completing", pending.GetProperty("status").GetString());
        Assert.NotNull(first.Headers.RetryAfter);

        using var second = await client.CompleteAsync(id, checksum);
        var done = await ExpectAsync(second, HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("status").GetString());

        using var third = await client.CompleteAsync(id, checksum);
        Assert.Equal("completed", (await ExpectAsync(third, HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_wrong_whole_file_sha1_for_box_is_a_checksum_mismatch_and_the_right_one_then_completes()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize + 3, seed: 9);
        var id = (await client.CreateBoxFileAsync(file.Length, "digest.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        await ExpectProblemAsync(await client.CompleteAsync(id, new { checksum = new { sha1 = new string('0', 40) } }), 400, "checksum_mismatch");
        Assert.Equal("staged", (await client.GetOkAsync(id)).GetProperty("status").GetString());

        var done = await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } }), HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_wrong_whole_object_sha256_fails_the_sandbox_upload_and_publishes_nothing()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize + 7);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/wrong.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        using var response = await client.CompleteAsync(id, new { checksum = new { sha256 = new string('0', 64) } });

        await ExpectProblemAsync(response, 400, "checksum_mismatch");
        Assert.Equal("failed", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        using var sandbox = system.SandboxClient();
        using var landed = await sandbox.GetAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/wrong.bin");
        Assert.Equal(HttpStatusCode.NotFound, landed.StatusCode);
    }

    [Fact]
    public async Task Aborting_ends_the_upload_here_and_at_the_backend()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/aborted.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);

        using var abort = await client.AbortAsync(id);
        Assert.Equal(HttpStatusCode.NoContent, abort.StatusCode);

        Assert.Equal("aborted", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        await ExpectProblemAsync(await client.PutPartAsync(id, 2, Slice(file, 2, PartSize)), 409, "invalid_state");
        await ExpectProblemAsync(await client.CompleteAsync(id), 409, "invalid_state");
        using var again = await client.AbortAsync(id);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task A_completed_upload_cannot_be_aborted_or_take_parts()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(100);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/done.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);

        await ExpectProblemAsync(await client.AbortAsync(id), 409, "invalid_state");
        await ExpectProblemAsync(await client.PutPartAsync(id, 1, file), 409, "invalid_state");
    }

    [Fact]
    public async Task An_expired_upload_refuses_parts_and_the_sweeper_ends_it_at_the_backend()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(redis, clock, gateway: s => s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:10:00");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize);
        var created = await client.CreateSandboxFileAsync(file.Length, "/workspace/late.bin");
        var id = created.GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);

        clock.Advance(TimeSpan.FromMinutes(11));

        await ExpectProblemAsync(await client.PutPartAsync(id, 2, Slice(file, 2, PartSize)), 410, "expired");
        await ExpectProblemAsync(await client.CompleteAsync(id), 410, "expired");
        Assert.Equal("expired", (await client.GetOkAsync(id)).GetProperty("status").GetString());

        var sweeper = system.Gateway.Services.GetRequiredService<ExpirySweeper>();
        Assert.Equal(1, await sweeper.SweepOnceAsync(default));
        Assert.Equal(0, await sweeper.SweepOnceAsync(default));
        Assert.Equal("expired", (await client.GetOkAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_callers_uploads_are_listed_newest_first_in_pages_and_by_status()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await client.CreateSandboxFileAsync(10, $"/workspace/list-{i}.bin")).GetProperty("upload_id").GetString()!);
            await Task.Delay(5);
        }
        await client.AbortAsync(ids[1]);
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));
        await other.CreateSandboxFileAsync(10, "/workspace/theirs.bin");

        var first = await ExpectAsync(await client.Http.GetAsync("/v1/uploads?limit=2"), HttpStatusCode.OK);
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await ExpectAsync(await client.Http.GetAsync($"/v1/uploads?limit=2&cursor={cursor}"), HttpStatusCode.OK);
        var aborted = await ExpectAsync(await client.Http.GetAsync("/v1/uploads?status=aborted"), HttpStatusCode.OK);

        Assert.Equal([ids[2], ids[1]], first.GetProperty("uploads").EnumerateArray().Select(u => u.GetProperty("upload_id").GetString()));
        Assert.Equal([ids[0]], second.GetProperty("uploads").EnumerateArray().Select(u => u.GetProperty("upload_id").GetString()));
        Assert.Equal([ids[1]], aborted.GetProperty("uploads").EnumerateArray().Select(u => u.GetProperty("upload_id").GetString()));
        await ExpectProblemAsync(await client.Http.GetAsync("/v1/uploads?status=bogus"), 400, "invalid_request");
        await ExpectProblemAsync(await client.Http.GetAsync("/v1/uploads?cursor=zzz"), 400, "invalid_request");
    }

    [Fact]
    public async Task Another_tenant_gets_404_for_every_action_on_an_upload()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var owner = new ContractClient(system.Client());
        var id = (await owner.CreateSandboxFileAsync(10, "/workspace/mine.bin")).GetProperty("upload_id").GetString()!;
        using var stranger = new ContractClient(system.Client(GatewayHarness.OtherKey));

        await ExpectProblemAsync(await stranger.Http.GetAsync($"/v1/uploads/{id}"), 404, "not_found");
        await ExpectProblemAsync(await stranger.Http.GetAsync($"/v1/uploads/{id}/parts"), 404, "not_found");
        await ExpectProblemAsync(await stranger.PutPartAsync(id, 1, TestData.Bytes(10)), 404, "not_found");
        await ExpectProblemAsync(await stranger.CompleteAsync(id), 404, "not_found");
        await ExpectProblemAsync(await stranger.AbortAsync(id), 404, "not_found");
        Assert.Equal("created", (await owner.GetOkAsync(id)).GetProperty("status").GetString());
    }
}
