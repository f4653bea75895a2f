using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Testing;

public sealed class MockSurfaceTests
{
    [Theory]
    [InlineData("GET", "/_mock/faults")]
    [InlineData("POST", "/_mock/faults")]
    [InlineData("POST", "/_mock/reset")]
    [InlineData("GET", "/_mock/sandboxes")]
    [InlineData("POST", "/_mock/sandboxes")]
    [InlineData("POST", "/_mock/sweep")]
    public async Task The_mock_surface_is_404_when_test_mode_is_off(string method, string path)
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:TestMode"] = null });
        using var response = await mock.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = SandboxMockHost.Json(new JsonObject { ["kind"] = "error", ["status"] = 503 }),
        });
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
        // And the fault it tried to add does not exist: the API still answers normally.
        using var create = await mock.PostCreateAsync(SandboxMockHost.FileBody(1));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
    }

    [Fact]
    public async Task A_sandbox_made_through_the_mock_surface_takes_uploads()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var created = await mock.Client.PostAsync("/_mock/sandboxes", SandboxMockHost.Json(new JsonObject
        {
            ["id"] = "sb_made0001",
            ["part_size"] = 1000,
            ["max_concurrency"] = 7,
            ["session_ttl_seconds"] = 600,
            ["limits"] = new JsonObject { ["max_upload_bytes"] = 5000, ["max_part_bytes"] = 2000, ["sandbox_staging_quota_bytes"] = 8000 },
        }));
        var view = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        Assert.Equal("sb_made0001", view.GetProperty("id").GetString());
        Assert.True(view.GetProperty("ready").GetBoolean());

        var session = await mock.CreateSessionAsync(SandboxMockHost.FileBody(2500), "sb_made0001");
        Assert.Equal(1000, session.Long("part_size"));
        Assert.Equal(3, session.Long("part_count"));
        Assert.Equal(7, session.Long("max_concurrency"));
        Assert.Equal(2000, session.GetProperty("limits").Long("max_part_bytes"));
        Assert.Equal(TimeSpan.FromMinutes(10),
            DateTimeOffset.Parse(session.GetProperty("expires_at").GetString()!) - DateTimeOffset.Parse(session.GetProperty("created_at").GetString()!));
        using var tooBig = await mock.PostCreateAsync(SandboxMockHost.FileBody(5001), sandbox: "sb_made0001");
        await ApiAssert.ErrorAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "file_upload_limit_exceeded");
    }

    [Fact]
    public async Task A_sandbox_without_an_id_gets_one()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var created = await mock.Client.PostAsync("/_mock/sandboxes", null);
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        Assert.Matches("^sb_[a-z0-9]{8}$", id);
        await mock.CreateSessionAsync(SandboxMockHost.FileBody(1), id);
    }

    [Fact]
    public async Task Changing_settings_affects_new_sessions_only()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var before = await mock.CreateFileSessionAsync(10);
        var view = await mock.ConfigureSandboxAsync(new JsonObject { ["part_size"] = 5 });
        Assert.Equal(5, view.Long("part_size"));
        Assert.Equal(SandboxMockHost.PartSize, (await mock.GetStatusAsync(before.Id())).Long("part_size"));
        Assert.Equal(2, (await mock.CreateFileSessionAsync(10, "/tmp/after")).Long("part_count"));
    }

    [Theory]
    [InlineData("""{"part_size": 0}""", "part_size")]
    [InlineData("""{"max_concurrency": 0}""", "max_concurrency")]
    [InlineData("""{"session_ttl_seconds": -1}""", "session_ttl_seconds")]
    [InlineData("""{"part_size": 1048576, "limits": {"max_part_bytes": 1000}}""", "limits.max_part_bytes")]
    [InlineData("""{"limits": {"sandbox_staging_quota_bytes": -5}}""", "limits.sandbox_staging_quota_bytes")]
    [InlineData("""{"part_size": "big"}""", "part_size")]
    public async Task Invalid_settings_are_400_invalid_fields_and_change_nothing(string body, string field)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.Client.PatchAsync($"/_mock/sandboxes/{SandboxMockHost.SandboxId}", SandboxMockHost.Json(JsonNode.Parse(body)!));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(field, ApiAssert.FirstField(error).Field);
        Assert.Equal(SandboxMockHost.PartSize, (await mock.MockSandboxAsync()).Long("part_size"));
    }

    [Fact]
    public async Task Creating_a_sandbox_twice_is_409_and_a_bad_id_is_400()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var twice = await mock.Client.PostAsync("/_mock/sandboxes", SandboxMockHost.Json(new JsonObject { ["id"] = SandboxMockHost.SandboxId }));
        await ApiAssert.ErrorAsync(twice, HttpStatusCode.Conflict, "conflict");
        using var bad = await mock.Client.PostAsync("/_mock/sandboxes", SandboxMockHost.Json(new JsonObject { ["id"] = "../etc" }));
        await ApiAssert.ErrorAsync(bad, HttpStatusCode.BadRequest, "invalid_fields");
    }

    [Fact]
    public async Task Deleting_a_sandbox_removes_it_and_its_files()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/x", "x");
        var root = Path.Combine(mock.DataRoot, "sandboxes", SandboxMockHost.SandboxId);
        Assert.True(Directory.Exists(root));
        using (var deleted = await mock.Client.DeleteAsync($"/_mock/sandboxes/{SandboxMockHost.SandboxId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        Assert.False(Directory.Exists(root));
        using var gone = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/workspace/x"));
        await ApiAssert.ErrorAsync(gone, HttpStatusCode.NotFound, "sandbox_not_found");
        using var again = await mock.Client.DeleteAsync($"/_mock/sandboxes/{SandboxMockHost.SandboxId}");
        await ApiAssert.ErrorAsync(again, HttpStatusCode.NotFound, "sandbox_not_found");
    }

    [Fact]
    public async Task Reset_clears_sessions_files_sandboxes_settings_idempotency_and_faults()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        using (await mock.PostCreateAsync(SandboxMockHost.FileBody(100), "remembered"))
        {
        }
        await mock.PutFileAsync("/workspace/x", "x");
        await mock.ConfigureSandboxAsync(new JsonObject { ["part_size"] = 7 });
        (await mock.Client.PostAsync("/_mock/sandboxes", SandboxMockHost.Json(new JsonObject { ["id"] = "sb_extra001" }))).Dispose();
        (await mock.Client.PostAsync("/_mock/faults", SandboxMockHost.Json(new JsonObject { ["kind"] = "latency", ["latency_ms"] = 1 }))).Dispose();

        using (var reset = await mock.Client.PostAsync("/_mock/reset", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        using (var status = await mock.Client.GetAsync(SandboxMockHost.UploadUrl(id)))
        {
            await ApiAssert.ErrorAsync(status, HttpStatusCode.NotFound, "not_found");
        }
        Assert.Null(await mock.ReadFileAsync("/workspace/x"));
        var view = await mock.MockSandboxAsync();
        Assert.Equal(SandboxMockHost.PartSize, view.Long("part_size"));
        Assert.Equal(0, view.GetProperty("usage").Long("reserved_staging_bytes"));
        using (var extra = await mock.Client.GetAsync("/_mock/sandboxes/sb_extra001"))
        {
            await ApiAssert.ErrorAsync(extra, HttpStatusCode.NotFound, "sandbox_not_found");
        }
        using (var faults = await mock.Client.GetAsync("/_mock/faults"))
        {
            Assert.Equal(0, (await ApiAssert.JsonAsync(faults, HttpStatusCode.OK)).GetArrayLength());
        }
        using var replayed = await mock.PostCreateAsync(SandboxMockHost.FileBody(200), "remembered");
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
    }
}
