using System.Diagnostics;
using System.Net;
using MockBox.Tests.Support;

namespace MockBox.Tests.Testing;

/// <summary>mock-common's faults, as a client of mock-box sees them.</summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task Error_fault_answers_the_next_n_matching_requests_with_its_status_in_boxs_envelope_then_stops()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(150_000);
        using (var add = await box.PostJsonAsync("/_mock/faults",
            """{"kind":"error","method":"PUT","path":"/upload_sessions/","status":503,"code":"unavailable","count":2,"retry_after":1}"""))
        {
            await BoxAssert.StatusAsync(add, HttpStatusCode.Created);
        }

        using var first = await box.PutPartAsync(session, seed: 1, offset: 0, length: 65536);
        using var unmatched = await box.Client.GetAsync(session.Endpoint("status"));
        using var second = await box.PutPartAsync(session, seed: 1, offset: 0, length: 65536);
        using var third = await box.PutPartAsync(session, seed: 1, offset: 0, length: 65536);

        foreach (var failed in new[] { first, second })
        {
            await BoxAssert.ErrorAsync(failed, 503, "unavailable");
            Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
        }
        // A GET does not match a PUT rule, and faulted PUTs stored nothing.
        Assert.Equal(0, (await BoxAssert.StatusAsync(unmatched, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
        await BoxAssert.StatusAsync(third, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Omit_fault_handles_the_request_and_leaves_the_member_out_of_its_answer_once()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(150_000);
        using (var add = await box.PostJsonAsync("/_mock/faults", """{"kind":"omit","path":"/upload_sessions/","field":"num_parts_processed","count":1}"""))
        {
            await BoxAssert.StatusAsync(add, HttpStatusCode.Created);
        }
        using (var refused = await box.PostJsonAsync("/_mock/faults", """{"kind":"omit"}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using var malformed = await box.Client.GetAsync(session.Endpoint("status"));
        using var whole = await box.Client.GetAsync(session.Endpoint("status"));

        var first = await BoxAssert.StatusAsync(malformed, HttpStatusCode.OK);
        Assert.False(first.TryGetProperty("num_parts_processed", out _));
        Assert.True(first.TryGetProperty("total_parts", out _));
        Assert.Equal(0, (await BoxAssert.StatusAsync(whole, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
    }

    [Fact]
    public async Task Latency_fault_delays_matching_requests_by_at_least_its_latency_for_its_count()
    {
        const int latencyMs = 300;
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);
        using (var add = await box.PostJsonAsync("/_mock/faults", $$"""{"kind":"latency","latency_ms":{{latencyMs}},"path":"/upload_sessions/","count":1}"""))
        {
            await BoxAssert.StatusAsync(add, HttpStatusCode.Created);
        }

        var stopwatch = Stopwatch.StartNew();
        using var delayed = await box.Client.GetAsync(session.Endpoint("status"));
        stopwatch.Stop();

        await BoxAssert.StatusAsync(delayed, HttpStatusCode.OK);
        // A lower bound only: a loaded machine may be slower, never faster.
        Assert.True(stopwatch.ElapsedMilliseconds >= latencyMs - 20, $"took {stopwatch.ElapsedMilliseconds} ms");
        using var faults = await box.Client.GetAsync("/_mock/faults");
        Assert.Empty((await BoxAssert.StatusAsync(faults, HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task Drop_fault_cuts_the_connection_after_k_body_bytes_and_the_client_sees_a_connection_error()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(150_000);
        using (var add = await box.PostJsonAsync("/_mock/faults", """{"kind":"drop","method":"PUT","path":"/upload_sessions/","after_bytes":16384,"count":1}"""))
        {
            await BoxAssert.StatusAsync(add, HttpStatusCode.Created);
        }

        // A fresh connection, so the handler cannot quietly retry on another one.
        using (var client = box.CreateClient(MockBoxHost.Token))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => box.PutPartAsync(session, seed: 1, offset: 0, length: 65536, client: client));
        }

        using var status = await box.Client.GetAsync(session.Endpoint("status"));
        Assert.Equal(0, (await BoxAssert.StatusAsync(status, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
        using var retry = await box.PutPartAsync(session, seed: 1, offset: 0, length: 65536);
        await BoxAssert.StatusAsync(retry, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Faults_can_be_listed_and_cleared()
    {
        await using var box = await MockBoxHost.StartAsync();
        using (var add = await box.PostJsonAsync("/_mock/faults", """{"kind":"error","path":"/2.0/files/","status":500}"""))
        {
            await BoxAssert.StatusAsync(add, HttpStatusCode.Created);
        }
        using (var faulted = await box.Client.GetAsync("/2.0/files/1"))
        {
            await BoxAssert.ErrorAsync(faulted, 500, "injected_fault");
        }
        using var listed = await box.Client.GetAsync("/_mock/faults");
        Assert.Single((await BoxAssert.StatusAsync(listed, HttpStatusCode.OK)).EnumerateArray());

        using var clear = await box.Client.DeleteAsync("/_mock/faults");

        await BoxAssert.StatusAsync(clear, HttpStatusCode.NoContent);
        using var normal = await box.Client.GetAsync("/2.0/files/1");
        await BoxAssert.ErrorAsync(normal, 404, "not_found");
    }
}
