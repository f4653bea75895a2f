using System.Net;
using MockBox.Tests.Support;

namespace MockBox.Tests.Sessions;

public sealed class SessionLifecycleTests
{
    [Fact]
    public async Task Get_session_returns_the_session_with_num_parts_processed_counting_stored_parts()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(150_000);
        using var part = await box.PutPartAsync(session, seed: 1, offset: 65536, length: 65536);
        await BoxAssert.StatusAsync(part, HttpStatusCode.OK);

        using var response = await box.Client.GetAsync(session.Endpoint("status"));

        var json = await BoxAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal(session.Id, json.GetProperty("id").GetString());
        Assert.Equal(1, json.GetProperty("num_parts_processed").GetInt32());
        Assert.Equal(3, json.GetProperty("total_parts").GetInt32());
        Assert.Equal(session.Json.GetProperty("session_expires_at").GetString(), json.GetProperty("session_expires_at").GetString());
    }

    [Fact]
    public async Task Every_session_endpoint_works_when_followed_as_given()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(100_000);

        using var status = await box.Client.GetAsync(session.Endpoint("status"));
        var parts = await box.UploadAllPartsAsync(session, seed: 9); // upload_part
        using var list = await box.Client.GetAsync(session.Endpoint("list_parts"));
        using var log = await box.Client.PostAsync(session.Endpoint("log_event"), MockBoxHost.JsonContent("""{"event":"upload_started"}"""));
        using var commit = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(9, 100_000));
        var other = await box.CreateSessionAsync(100_000, name: "other.bin");
        using var abort = await box.Client.DeleteAsync(other.Endpoint("abort"));

        await BoxAssert.StatusAsync(status, HttpStatusCode.OK);
        Assert.Equal(2, parts.Count);
        Assert.Equal(2, (await BoxAssert.StatusAsync(list, HttpStatusCode.OK)).GetProperty("total_count").GetInt64());
        await BoxAssert.StatusAsync(log, HttpStatusCode.NoContent);
        await BoxAssert.StatusAsync(commit, HttpStatusCode.Created);
        await BoxAssert.StatusAsync(abort, HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Session_operations_also_answer_under_the_api_host_prefix()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);

        // Box's reference page shows curl against upload.box.com/2.0/files/upload_sessions/<id>.
        using var response = await box.Client.GetAsync($"/2.0/files/upload_sessions/{session.Id}");

        await BoxAssert.StatusAsync(response, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("DELETE", "")]
    [InlineData("GET", "/parts")]
    [InlineData("POST", "/commit")]
    [InlineData("POST", "/log")]
    public async Task Malformed_session_id_is_refused_with_400_invalid_upload_session_id(string method, string suffix)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/2.0/files/upload_sessions/not-a-session" + suffix));

        await BoxAssert.ErrorAsync(response, 400, "invalid_upload_session_id");
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("DELETE", "")]
    [InlineData("GET", "/parts")]
    [InlineData("POST", "/commit")]
    [InlineData("POST", "/log")]
    public async Task Unknown_session_id_is_404_not_found(string method, string suffix)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method),
            "/api/2.0/files/upload_sessions/0123456789ABCDEF0123456789ABCDEF" + suffix));

        await BoxAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task Another_users_session_is_403_forbidden()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);
        using var otherUser = box.CreateClient(MockBoxHost.OtherToken);

        using var get = await otherUser.GetAsync(session.Endpoint("status"));
        using var put = await box.PutPartAsync(session, seed: 1, offset: 0, length: 1000, client: otherUser);

        await BoxAssert.ErrorAsync(get, 403, "forbidden");
        await BoxAssert.ErrorAsync(put, 403, "forbidden");
    }

    [Fact]
    public async Task Abort_returns_204_and_deletes_the_sessions_bytes_from_disk()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(150_000);
        using (var part = await box.PutPartAsync(session, seed: 1, offset: 0, length: 65536))
        {
            await BoxAssert.StatusAsync(part, HttpStatusCode.OK);
        }
        var folder = Path.Combine(box.DataRoot, "sessions", session.Id);
        Assert.NotEmpty(Directory.GetFiles(folder));

        using var abort = await box.Client.DeleteAsync(session.Endpoint("abort"));

        await BoxAssert.StatusAsync(abort, HttpStatusCode.NoContent);
        Assert.Equal(0, abort.Content.Headers.ContentLength ?? 0);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Aborted_session_is_404_for_every_operation()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);
        using (var abort = await box.Client.DeleteAsync(session.Endpoint("abort")))
        {
            await BoxAssert.StatusAsync(abort, HttpStatusCode.NoContent);
        }

        using var get = await box.Client.GetAsync(session.Endpoint("status"));
        using var put = await box.PutPartAsync(session, seed: 1, offset: 0, length: 1000);
        using var again = await box.Client.DeleteAsync(session.Endpoint("abort"));

        await BoxAssert.ErrorAsync(get, 404, "not_found");
        await BoxAssert.ErrorAsync(put, 404, "not_found");
        await BoxAssert.ErrorAsync(again, 404, "not_found");
    }

    [Fact]
    public async Task Log_event_accepts_any_body_for_a_live_session_and_answers_204()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);

        using var empty = await box.Client.PostAsync(session.Endpoint("log_event"), null);
        using var text = await box.Client.PostAsync(session.Endpoint("log_event"), new StringContent("anything at all"));

        await BoxAssert.StatusAsync(empty, HttpStatusCode.NoContent);
        await BoxAssert.StatusAsync(text, HttpStatusCode.NoContent);
    }
}
