using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Testing;

public sealed class FaultTests
{
    [Fact]
    public async Task An_error_fault_answers_the_next_n_matching_requests_in_the_sandbox_envelope()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        using (var added = await mock.Client.PostAsync("/_mock/faults", SandboxMockHost.Json(JsonNode.Parse(
            """{"kind":"error","method":"PUT","path":"/parts/","status":503,"code":"timeout","count":2,"retry_after":1}""")!)))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        // Another method or path does not match and does not use up the count.
        Assert.Equal("created", (await mock.GetStatusAsync(id)).Status());
        for (var i = 0; i < 2; i++)
        {
            using var failed = await mock.PutPartAsync(id, 0, new byte[100]);
            var error = await ApiAssert.ErrorAsync(failed, HttpStatusCode.ServiceUnavailable, "timeout", retryable: true);
            Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }
        Assert.Equal(0, (await mock.GetStatusAsync(id)).Long("accepted_bytes"));
        Assert.Equal("staged", (await mock.PutPartOkAsync(id, 0, new byte[100])).Status());

        using var listed = await mock.Client.GetAsync("/_mock/faults");
        Assert.Equal(0, (await ApiAssert.JsonAsync(listed, HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task An_injected_rate_limit_keeps_the_retry_after_it_was_given()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using (await mock.Client.PostAsync("/_mock/faults", SandboxMockHost.Json(JsonNode.Parse(
            """{"kind":"error","path":"/uploads","status":429,"code":"rate_limit_exceeded","count":1,"retry_after":7}""")!)))
        {
        }
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(1));
        await ApiAssert.ErrorAsync(response, (HttpStatusCode)429, "rate_limit_exceeded", retryable: true);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_latency_fault_delays_requests_until_cleared()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using (await mock.Client.PostAsync("/_mock/faults", SandboxMockHost.Json(new JsonObject { ["kind"] = "latency", ["latency_ms"] = 200 })))
        {
        }
        using (var listed = await mock.Client.GetAsync("/_mock/faults"))
        {
            var rule = (await ApiAssert.JsonAsync(listed, HttpStatusCode.OK))[0];
            Assert.Equal("latency", rule.GetProperty("kind").GetString());
            Assert.Equal(200, rule.Long("latency_ms"));
        }

        // Only a lower bound: a loaded machine may add time, never remove the injected delay.
        for (var i = 0; i < 2; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(1));
            watch.Stop();
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.True(watch.ElapsedMilliseconds >= 190, $"took {watch.ElapsedMilliseconds} ms");
        }

        using (var cleared = await mock.Client.DeleteAsync("/_mock/faults"))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }
        using var listedAfter = await mock.Client.GetAsync("/_mock/faults");
        Assert.Equal(0, (await ApiAssert.JsonAsync(listedAfter, HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task A_drop_fault_cuts_the_connection_after_k_body_bytes_and_the_part_is_not_accepted()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:PartSize"] = (4 * 1024 * 1024).ToString() });
        const long Size = 4 * 1024 * 1024;
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        using (await mock.Client.PostAsync("/_mock/faults", SandboxMockHost.Json(new JsonObject
        {
            ["kind"] = "drop", ["method"] = "PUT", ["path"] = "/parts/", ["after_bytes"] = 1024 * 1024, ["count"] = 1,
        })))
        {
        }

        // A fresh client: a fresh connection, so nothing can retry the request on our behalf.
        using (var client = mock.App.CreateClient(SandboxMockHost.ApiKey))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => mock.PutGeneratedPartAsync(id, 0, 95, Size, Size, client));
        }
        var status = await mock.GetStatusAsync(id);
        Assert.Equal(0, status.Long("accepted_bytes"));
        Assert.Equal("created", status.Status());

        using var retried = await mock.PutGeneratedPartAsync(id, 0, 95, Size, Size);
        Assert.Equal("staged", (await ApiAssert.JsonAsync(retried, HttpStatusCode.OK)).Status());
    }

    [Fact]
    public async Task A_malformed_fault_rule_is_400_invalid_request()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var unknownKind = await mock.Client.PostAsync("/_mock/faults", SandboxMockHost.Json(new JsonObject { ["kind"] = "explode" }));
        await ApiAssert.ErrorAsync(unknownKind, HttpStatusCode.BadRequest, "invalid_request");
    }
}
