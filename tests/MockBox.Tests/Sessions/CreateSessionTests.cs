using System.Net;
using System.Text.Json;
using MockBox.Tests.Support;

namespace MockBox.Tests.Sessions;

public sealed class CreateSessionTests
{
    [Fact]
    public async Task Creating_a_session_for_a_new_file_returns_201_with_an_upload_session()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.PostJsonAsync("/api/2.0/files/upload_sessions", """{"folder_id":"0","file_size":150000,"file_name":"a.bin"}""");

        var session = await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
        Assert.Matches("^[0-9A-F]{32}$", session.GetProperty("id").GetString());
        Assert.Equal("upload_session", session.GetProperty("type").GetString());
        Assert.Equal(MockBoxHost.PartSize, session.GetProperty("part_size").GetInt64());
        Assert.Equal(3, session.GetProperty("total_parts").GetInt32());
        Assert.Equal(0, session.GetProperty("num_parts_processed").GetInt32());
        Assert.True(DateTimeOffset.TryParse(session.GetProperty("session_expires_at").GetString(), out _));
    }

    [Theory]
    [InlineData("/api/2.0/files/upload_sessions")]
    [InlineData("/2.0/files/upload_sessions")]
    public async Task Create_for_a_new_file_is_served_under_the_upload_and_the_api_host_prefixes(string path)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.PostJsonAsync(path, """{"folder_id":"0","file_size":1000,"file_name":"a.bin"}""");

        await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("/api/2.0")]
    [InlineData("/2.0")]
    public async Task Create_for_a_new_version_is_served_under_the_upload_and_the_api_host_prefixes(string prefix)
    {
        await using var box = await MockBoxHost.StartAsync();
        var file = await box.UploadFileAsync(seed: 1, size: 1000);

        using var response = await box.PostJsonAsync($"{prefix}/files/{file.GetProperty("id").GetString()}/upload_sessions", """{"file_size":2000}""");

        var session = await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
        Assert.Equal(1, session.GetProperty("total_parts").GetInt32());
    }

    [Fact]
    public async Task Part_size_defaults_to_8_MiB_and_total_parts_is_the_ceiling_of_size_over_part_size()
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:PartSize"] = null });

        var session = await box.CreateSessionAsync(21 * 1024 * 1024 + 1);

        Assert.Equal(8388608, session.PartSize);
        Assert.Equal(3, session.TotalParts);
    }

    [Fact]
    public async Task Part_size_grows_so_that_total_parts_stays_within_10000()
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:PartSize"] = null });

        var session = await box.CreateSessionAsync(8388608L * 10_000 + 1);

        Assert.Equal(16777216, session.PartSize);
        Assert.Equal(5001, session.TotalParts);
    }

    [Fact]
    public async Task File_below_the_default_minimum_of_20000000_bytes_is_refused_with_file_size_too_small()
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:MinFileSize"] = null });

        using var tooSmall = await box.PostJsonAsync("/api/2.0/files/upload_sessions", """{"folder_id":"0","file_size":19999999,"file_name":"a.bin"}""");
        using var justEnough = await box.PostJsonAsync("/api/2.0/files/upload_sessions", """{"folder_id":"0","file_size":20000000,"file_name":"a.bin"}""");

        await BoxAssert.ErrorAsync(tooSmall, 400, "file_size_too_small");
        await BoxAssert.StatusAsync(justEnough, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Configured_minimum_file_size_applies_to_new_versions_too()
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:MinFileSize"] = "500" });
        var file = await box.UploadFileAsync(seed: 1, size: 600);

        using var response = await box.PostJsonAsync($"/api/2.0/files/{file.GetProperty("id").GetString()}/upload_sessions", """{"file_size":499}""");

        await BoxAssert.ErrorAsync(response, 400, "file_size_too_small");
    }

    [Theory]
    [InlineData("""{}""", 400, "missing_destination")]
    [InlineData("""{"folder_id":null,"file_size":1000,"file_name":"a.bin"}""", 400, "missing_destination")]
    [InlineData("""{"folder_id":0,"file_size":1000,"file_name":"a.bin"}""", 400, "invalid_folder_id")]
    [InlineData("""{"folder_id":"root","file_size":1000,"file_name":"a.bin"}""", 400, "invalid_folder_id")]
    [InlineData("""{"folder_id":"0","file_name":"a.bin"}""", 400, "missing_file_size")]
    [InlineData("""{"folder_id":"0","file_size":"1000","file_name":"a.bin"}""", 400, "invalid_file_size")]
    [InlineData("""{"folder_id":"0","file_size":-1,"file_name":"a.bin"}""", 400, "invalid_file_size")]
    [InlineData("""{"folder_id":"0","file_size":1.5,"file_name":"a.bin"}""", 400, "invalid_file_size")]
    [InlineData("""{"folder_id":"0","file_size":1000}""", 400, "missing_file_name")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":""}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":7}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":"a/b.bin"}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":"a\\b.bin"}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":".."}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":"trailing "}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":1000,"file_name":"bell\u0007"}""", 400, "item_name_invalid")]
    [InlineData("""{"folder_id":"0","file_size":0,"file_name":"a.bin"}""", 400, "file_size_too_small")]
    [InlineData("""{"folder_id":"987654321","file_size":1000,"file_name":"a.bin"}""", 404, "invalid_parameter")]
    [InlineData("""not json""", 400, "bad_request")]
    [InlineData("""["folder_id"]""", 400, "bad_request")]
    public async Task Missing_or_invalid_fields_get_their_documented_code(string body, int status, string code)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.PostJsonAsync("/api/2.0/files/upload_sessions", body);

        await BoxAssert.ErrorAsync(response, status, code);
    }

    [Fact]
    public async Task Name_longer_than_255_characters_is_refused_with_item_name_invalid()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.PostJsonAsync("/api/2.0/files/upload_sessions",
            JsonSerializer.Serialize(new { folder_id = "0", file_size = 1000, file_name = new string('n', 256) }));

        await BoxAssert.ErrorAsync(response, 400, "item_name_invalid");
    }

    [Fact]
    public async Task Name_already_used_in_the_folder_is_refused_with_409_item_name_in_use_describing_the_existing_file()
    {
        await using var box = await MockBoxHost.StartAsync();
        var existing = await box.UploadFileAsync(seed: 3, size: 5000, name: "Report.bin");

        // Box compares names case-insensitively.
        using var response = await box.PostJsonAsync("/api/2.0/files/upload_sessions", """{"folder_id":"0","file_size":1000,"file_name":"REPORT.bin"}""");

        var error = await BoxAssert.ErrorAsync(response, 409, "item_name_in_use");
        var conflict = error.GetProperty("context_info").GetProperty("conflicts");
        Assert.Equal("file", conflict.GetProperty("type").GetString());
        Assert.Equal(existing.GetProperty("id").GetString(), conflict.GetProperty("id").GetString());
        Assert.Equal("Report.bin", conflict.GetProperty("name").GetString());
        Assert.Equal(TestData.Sha1Hex(3, 0, 5000), conflict.GetProperty("sha1").GetString());
        Assert.Equal(existing.GetProperty("file_version").GetProperty("id").GetString(),
            conflict.GetProperty("file_version").GetProperty("id").GetString());
    }

    [Fact]
    public async Task New_version_of_an_unknown_file_is_404_not_found()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.PostJsonAsync("/api/2.0/files/123456789/upload_sessions", """{"file_size":1000}""");

        await BoxAssert.ErrorAsync(response, 404, "not_found");
    }

    [Theory]
    [InlineData("""{}""", 400, "missing_file_size")]
    [InlineData("""{"file_size":"x"}""", 400, "invalid_file_size")]
    [InlineData("""{"file_size":1000,"file_name":"a/b"}""", 400, "item_name_invalid")]
    public async Task New_version_with_missing_or_invalid_fields_gets_their_documented_code(string body, int status, string code)
    {
        await using var box = await MockBoxHost.StartAsync();
        var file = await box.UploadFileAsync(seed: 1, size: 1000);

        using var response = await box.PostJsonAsync($"/api/2.0/files/{file.GetProperty("id").GetString()}/upload_sessions", body);

        await BoxAssert.ErrorAsync(response, status, code);
    }

    [Fact]
    public async Task New_version_renamed_onto_a_name_in_use_is_refused_with_409_item_name_in_use()
    {
        await using var box = await MockBoxHost.StartAsync();
        var first = await box.UploadFileAsync(seed: 1, size: 1000, name: "one.bin");
        await box.UploadFileAsync(seed: 2, size: 1000, name: "two.bin");

        using var clash = await box.PostJsonAsync($"/api/2.0/files/{first.GetProperty("id").GetString()}/upload_sessions",
            """{"file_size":1000,"file_name":"two.bin"}""");
        using var ownName = await box.PostJsonAsync($"/api/2.0/files/{first.GetProperty("id").GetString()}/upload_sessions",
            """{"file_size":1000,"file_name":"ONE.bin"}""");

        await BoxAssert.ErrorAsync(clash, 409, "item_name_in_use");
        await BoxAssert.StatusAsync(ownName, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Session_endpoints_are_absolute_urls_on_the_upload_prefix_built_from_the_request_host()
    {
        await using var box = await MockBoxHost.StartAsync();

        var session = await box.CreateSessionAsync(1000);

        var url = new Uri(box.App.BaseAddress, $"/api/2.0/files/upload_sessions/{session.Id}").ToString();
        var endpoints = session.Json.GetProperty("session_endpoints");
        Assert.Equal(url, endpoints.GetProperty("upload_part").GetString());
        Assert.Equal(url, endpoints.GetProperty("status").GetString());
        Assert.Equal(url, endpoints.GetProperty("abort").GetString());
        Assert.Equal(url + "/commit", endpoints.GetProperty("commit").GetString());
        Assert.Equal(url + "/parts", endpoints.GetProperty("list_parts").GetString());
        Assert.Equal(url + "/log", endpoints.GetProperty("log_event").GetString());
    }

    [Fact]
    public async Task Session_endpoints_are_built_from_the_configured_public_base_url()
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:PublicBaseUrl"] = "https://upload.example.test/box/" });

        var session = await box.CreateSessionAsync(1000);

        Assert.Equal($"https://upload.example.test/box/api/2.0/files/upload_sessions/{session.Id}/commit", session.Endpoint("commit"));
    }
}
