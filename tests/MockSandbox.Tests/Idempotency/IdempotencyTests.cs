using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Idempotency;

public sealed class IdempotencyTests
{
    [Fact]
    public async Task Creating_again_with_the_same_key_and_body_replays_the_first_session_and_reserves_once()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(1000);
        using var first = await mock.PostCreateAsync(body, "create-1");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var replay = await mock.PostCreateAsync(body, "create-1");
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(1000, await mock.ReservedBytesAsync());
        Assert.Equal(1, (await mock.MockSandboxAsync()).GetProperty("usage").Long("live_sessions"));
    }

    [Fact]
    public async Task The_same_body_with_its_members_in_another_order_is_the_same_request()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var first = await mock.PostCreateAsync(JsonNode.Parse("""{"kind":"file","source_kind":"restartable_file","target_path":"/tmp/a","content_length":5}""")!, "k");
        using var second = await mock.PostCreateAsync(JsonNode.Parse("""{"content_length":5, "target_path":"/tmp/a", "source_kind":"restartable_file", "kind":"file"}""")!, "k");
        Assert.Equal(
            (await ApiAssert.JsonAsync(first, HttpStatusCode.Created)).GetProperty("session").Id(),
            (await ApiAssert.JsonAsync(second, HttpStatusCode.Created)).GetProperty("session").Id());
    }

    [Fact]
    public async Task Reusing_a_key_with_a_different_body_is_409_conflict()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var first = await mock.PostCreateAsync(SandboxMockHost.FileBody(1000), "create-2");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var reuse = await mock.PostCreateAsync(SandboxMockHost.FileBody(2000), "create-2");
        await ApiAssert.ErrorAsync(reuse, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(1000, await mock.ReservedBytesAsync());
    }

    [Fact]
    public async Task Creating_without_an_idempotency_key_is_400_invalid_request()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(1000), idempotencyKey: "");
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("Idempotency-Key", error.GetProperty("message").GetString());
        Assert.Equal(0, await mock.ReservedBytesAsync());
    }

    [Fact]
    public async Task A_failed_request_is_not_remembered_so_its_retry_runs_again()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:SandboxStagingQuotaBytes"] = "1000" });
        var blocker = (await mock.CreateFileSessionAsync(1000, "/tmp/blocker")).Id();
        using (var refused = await mock.PostCreateAsync(SandboxMockHost.FileBody(500), "retry-me"))
        {
            await ApiAssert.ErrorAsync(refused, (HttpStatusCode)429, "quota_exceeded");
        }
        (await mock.AbortAsync(blocker)).Dispose();
        using var retried = await mock.PostCreateAsync(SandboxMockHost.FileBody(500), "retry-me");
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_key_make_one_session()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(100);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => mock.PostCreateAsync(body, "same-key")));
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            ids.Add((await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("session").Id());
            response.Dispose();
        }
        Assert.Single(ids);
        Assert.Equal(100, await mock.ReservedBytesAsync());
    }

    [Fact]
    public async Task Keys_are_scoped_to_their_sandbox()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Sandboxes:1"] = "sb_test0002" });
        using var one = await mock.PostCreateAsync(SandboxMockHost.FileBody(10), "shared");
        using var two = await mock.PostCreateAsync(SandboxMockHost.FileBody(10), "shared", "sb_test0002");
        Assert.NotEqual(
            (await ApiAssert.JsonAsync(one, HttpStatusCode.Created)).GetProperty("session").Id(),
            (await ApiAssert.JsonAsync(two, HttpStatusCode.Created)).GetProperty("session").Id());
    }

    [Fact]
    public async Task An_over_long_key_is_400_invalid_request()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(10), new string('k', 256));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_complete_replay_with_a_different_body_is_409_conflict()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = Encoding.UTF8.GetBytes("payload");
        var id = (await mock.CreateFileSessionAsync(content.Length)).Id();
        await mock.PutPartOkAsync(id, 0, content);
        using var first = await mock.PostCompleteAsync(id, TestData.Sha256Hex(content), "done");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var changed = await mock.PostCompleteAsync(id, idempotencyKey: "done");
        await ApiAssert.ErrorAsync(changed, HttpStatusCode.Conflict, "conflict");
    }
}
