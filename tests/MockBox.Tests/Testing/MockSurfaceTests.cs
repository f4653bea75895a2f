using System.Net;
using MockBox.Tests.Support;

namespace MockBox.Tests.Testing;

public sealed class MockSurfaceTests
{
    [Theory]
    [InlineData("GET", "/_mock/faults")]
    [InlineData("POST", "/_mock/reset")]
    [InlineData("GET", "/_mock/settings")]
    [InlineData("POST", "/_mock/folders")]
    public async Task Mock_surface_is_404_when_test_mode_is_off(string method, string path)
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:TestMode"] = null });

        using var response = await box.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = MockBoxHost.JsonContent("{}") });

        await BoxAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task Mock_surface_needs_no_bearer_token()
    {
        await using var box = await MockBoxHost.StartAsync();
        using var anonymous = box.CreateClient(null);

        using var response = await anonymous.GetAsync("/_mock/settings");

        await BoxAssert.StatusAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Folders_created_through_the_mock_surface_take_uploads_and_clash_by_name()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var parent = await box.PostJsonAsync("/_mock/folders", """{"name":"Projects"}""");
        var parentId = (await BoxAssert.StatusAsync(parent, HttpStatusCode.Created)).GetProperty("id").GetString();
        using var child = await box.PostJsonAsync("/_mock/folders", $$"""{"name":"Q3","parent_id":"{{parentId}}"}""");
        var childId = (await BoxAssert.StatusAsync(child, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var clash = await box.PostJsonAsync("/_mock/folders", """{"name":"projects"}""");
        using var orphan = await box.PostJsonAsync("/_mock/folders", """{"name":"x","parent_id":"424242"}""");
        var file = await box.UploadFileAsync(seed: 1, size: 1000, folderId: childId);

        await BoxAssert.ErrorAsync(clash, 409, "item_name_in_use");
        await BoxAssert.ErrorAsync(orphan, 404, "invalid_parameter");
        Assert.Equal(3, file.GetProperty("path_collection").GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task Settings_changed_through_the_mock_surface_apply_to_new_sessions()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var patch = await box.Client.PatchAsync("/_mock/settings",
            MockBoxHost.JsonContent("""{"part_size":1000,"min_file_size":5000,"commit_accepted_responses":1}"""));
        var settings = await BoxAssert.StatusAsync(patch, HttpStatusCode.OK);
        using var tooSmall = await box.PostJsonAsync("/api/2.0/files/upload_sessions", """{"folder_id":"0","file_size":4999,"file_name":"a.bin"}""");
        var session = await box.CreateSessionAsync(5000);
        var parts = await box.UploadAllPartsAsync(session, seed: 1);
        using var accepted = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(1, 5000));
        using var created = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(1, 5000));

        Assert.Equal(1000, settings.GetProperty("part_size").GetInt64());
        Assert.Equal(604800, settings.GetProperty("session_ttl_seconds").GetInt64());
        await BoxAssert.ErrorAsync(tooSmall, 400, "file_size_too_small");
        Assert.Equal(1000, session.PartSize);
        Assert.Equal(5, session.TotalParts);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Theory]
    [InlineData("""{"part_size":0}""")]
    [InlineData("""{"min_file_size":-1}""")]
    [InlineData("""{"session_ttl_seconds":0}""")]
    [InlineData("""{"commit_accepted_responses":-1}""")]
    public async Task Invalid_settings_are_refused_with_400(string body)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.Client.PatchAsync("/_mock/settings", MockBoxHost.JsonContent(body));

        await BoxAssert.ErrorAsync(response, 400, "bad_request");
    }

    [Fact]
    public async Task Reset_forgets_sessions_files_folders_and_settings_and_empties_the_data_directory()
    {
        await using var box = await MockBoxHost.StartAsync();
        var file = await box.UploadFileAsync(seed: 1, size: 1000);
        var session = await box.CreateSessionAsync(150_000, name: "pending.bin");
        using (var part = await box.PutPartAsync(session, seed: 2, offset: 0, length: 65536))
        {
            await BoxAssert.StatusAsync(part, HttpStatusCode.OK);
        }
        using (var patch = await box.Client.PatchAsync("/_mock/settings", MockBoxHost.JsonContent("""{"part_size":1000}""")))
        {
            await BoxAssert.StatusAsync(patch, HttpStatusCode.OK);
        }

        using var reset = await box.Client.PostAsync("/_mock/reset", null);

        await BoxAssert.StatusAsync(reset, HttpStatusCode.NoContent);
        using var getFile = await box.Client.GetAsync($"/2.0/files/{file.GetProperty("id").GetString()}");
        await BoxAssert.ErrorAsync(getFile, 404, "not_found");
        using var getSession = await box.Client.GetAsync(session.Endpoint("status"));
        await BoxAssert.ErrorAsync(getSession, 404, "not_found");
        Assert.Empty(Directory.EnumerateFiles(box.DataRoot, "*", SearchOption.AllDirectories));
        Assert.Equal(MockBoxHost.PartSize, (await box.CreateSessionAsync(1000)).PartSize);
        // The name is free again.
        await box.UploadFileAsync(seed: 1, size: 1000);
    }
}
