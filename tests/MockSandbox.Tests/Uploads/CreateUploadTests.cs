using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Uploads;

public sealed class CreateUploadTests
{
    [Fact]
    public async Task Creating_a_file_upload_returns_201_with_the_session_wrapped()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(100_000, "/workspace/data/x.bin"));
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);

        Assert.Equal(["session"], body.EnumerateObject().Select(p => p.Name));
        var session = body.GetProperty("session");
        Assert.Matches("^upload_[0-9a-f]{32}$", session.Id());
        Assert.Equal($"/v1/sandboxes/{SandboxMockHost.SandboxId}/uploads/{session.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("file", session.GetProperty("kind").GetString());
        Assert.Equal("restartable_file", session.GetProperty("source_kind").GetString());
        Assert.Equal("/workspace/data/x.bin", session.GetProperty("target_path").GetString());
        Assert.Equal("created", session.Status());
        Assert.Equal(100_000, session.Long("content_length"));
        Assert.Equal(0, session.Long("accepted_bytes"));
        Assert.Equal(100_000, session.Long("reserved_staging_bytes"));
        Assert.Equal(SandboxMockHost.PartSize, session.Long("part_size"));
        Assert.Equal(2, session.Long("part_count"));
        Assert.Equal(0, session.Long("next_part"));
        Assert.Equal("sha256", session.GetProperty("checksum_algorithm").GetString());
        Assert.True(session.IsNull("archive_format"));
        Assert.True(session.IsNull("user"));
        Assert.True(session.IsNull("whole_checksum_sha256"));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(SandboxMockHost.PartSize - 1, 1)]
    [InlineData(SandboxMockHost.PartSize, 1)]
    [InlineData(SandboxMockHost.PartSize + 1, 2)]
    [InlineData(3 * SandboxMockHost.PartSize, 3)]
    public async Task Part_count_is_the_content_length_over_the_part_size_rounded_up(long contentLength, long partCount)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var session = await mock.CreateFileSessionAsync(contentLength);
        Assert.Equal(partCount, session.Long("part_count"));
        Assert.Equal(partCount == 0, session.IsNull("next_part"));
    }

    [Fact]
    public async Task The_server_chooses_part_size_concurrency_and_expiry_from_its_settings()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?>
        {
            ["MockSandbox:PartSize"] = "1000",
            ["MockSandbox:MaxConcurrency"] = "3",
            ["MockSandbox:SessionTtl"] = "02:00:00",
            ["MockSandbox:Limits:MaxUploadBytes"] = "50000",
            ["MockSandbox:Limits:MaxPartBytes"] = "1500",
            ["MockSandbox:Limits:SandboxStagingQuotaBytes"] = "90000",
        });
        var session = await mock.CreateFileSessionAsync(2500);

        Assert.Equal(1000, session.Long("part_size"));
        Assert.Equal(3, session.Long("part_count"));
        Assert.Equal(3, session.Long("max_concurrency"));
        var created = DateTimeOffset.Parse(session.GetProperty("created_at").GetString()!);
        var expires = DateTimeOffset.Parse(session.GetProperty("expires_at").GetString()!);
        Assert.Equal(TimeSpan.FromHours(2), expires - created);
        var limits = session.GetProperty("limits");
        Assert.Equal(50000, limits.Long("max_upload_bytes"));
        Assert.Equal(1500, limits.Long("max_part_bytes"));
        Assert.Equal(3, limits.Long("max_concurrency"));
        Assert.Equal(90000, limits.Long("sandbox_staging_quota_bytes"));
    }

    [Fact]
    public async Task Conflict_defaults_to_error_and_other_policies_are_kept()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        Assert.Equal("error", (await mock.CreateFileSessionAsync(1)).GetProperty("conflict").GetString());
        foreach (var policy in new[] { "merge", "replace", "error" })
        {
            var body = SandboxMockHost.FileBody(1);
            body["conflict"] = policy;
            Assert.Equal(policy, (await mock.CreateSessionAsync(body)).GetProperty("conflict").GetString());
        }
    }

    [Fact]
    public async Task A_directory_upload_pairs_directory_tar_with_directory_archive_and_defaults_archive_format_to_tar()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.ArchiveBody(1024, "/workspace/project", "merge");
        body.Remove("archive_format");
        var session = await mock.CreateSessionAsync(body);
        Assert.Equal("directory_tar", session.GetProperty("kind").GetString());
        Assert.Equal("directory_archive", session.GetProperty("source_kind").GetString());
        Assert.Equal("tar", session.GetProperty("archive_format").GetString());
    }

    [Theory]
    [InlineData("file", "directory_archive", null, "source_kind")]
    [InlineData("directory_tar", "restartable_file", "tar", "source_kind")]
    [InlineData("directory_tar", "spooled_stream", null, "source_kind")]
    [InlineData("file", "restartable_file", "tar", "archive_format")]
    [InlineData("directory_tar", "directory_archive", "zip", "archive_format")]
    public async Task Mismatched_kinds_and_formats_are_invalid_fields(string kind, string sourceKind, string? archiveFormat, string field)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = new JsonObject
        {
            ["kind"] = kind,
            ["source_kind"] = sourceKind,
            ["target_path"] = "/workspace/x",
            ["content_length"] = 10,
            ["archive_format"] = archiveFormat,
        };
        using var response = await mock.PostCreateAsync(body);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal([field], ApiAssert.Fields(error));
    }

    [Fact]
    public async Task Missing_required_fields_are_reported_together()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(new JsonObject());
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(["content_length", "kind", "source_kind", "target_path"], ApiAssert.Fields(error).Order());
    }

    [Theory]
    [InlineData("kind", "folder")]
    [InlineData("source_kind", "pipe")]
    [InlineData("conflict", "overwrite")]
    [InlineData("checksum_algorithm", "md5")]
    [InlineData("kind", "FILE")]
    [InlineData("whole_checksum_sha256", "ABCDEF")]
    [InlineData("user", "../root")]
    public async Task Unknown_values_are_invalid_fields_naming_the_field(string field, string value)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(10);
        body[field] = value;
        using var response = await mock.PostCreateAsync(body);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(field, ApiAssert.FirstField(error).Field);
    }

    [Fact]
    public async Task A_negative_content_length_is_invalid_fields()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(-1));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(("content_length", "out_of_range"), ApiAssert.FirstField(error));
    }

    [Fact]
    public async Task A_field_of_the_wrong_json_type_is_invalid_fields()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(10);
        body["content_length"] = "ten";
        using var response = await mock.PostCreateAsync(body);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(("content_length", "wrong_type"), ApiAssert.FirstField(error));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public async Task A_body_that_is_not_a_json_object_is_invalid_request(string body)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, SandboxMockHost.UploadsUrl())
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "k");
        using var response = await mock.Client.SendAsync(request);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_root_directory_cannot_be_a_file_target()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(10, "/workspace"));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(("target_path", "is_directory"), ApiAssert.FirstField(error));
    }

    [Fact]
    public async Task Content_length_over_max_upload_bytes_is_413_file_upload_limit_exceeded()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:MaxUploadBytes"] = "1000" });
        using (var ok = await mock.PostCreateAsync(SandboxMockHost.FileBody(1000)))
        {
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(1001));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "file_upload_limit_exceeded");
        Assert.Equal(1000, error.GetProperty("details").Long("limit_bytes"));
    }

    [Fact]
    public async Task Metadata_is_accepted_verbatim_and_the_status_object_keeps_to_the_seed()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(10);
        body["metadata"] = new JsonObject { ["origin"] = "test", ["nested"] = new JsonArray(1, "two", null) };
        var session = await mock.CreateSessionAsync(body);
        Assert.False(session.TryGetProperty("metadata", out _));
    }

    [Fact]
    public async Task A_user_and_a_whole_checksum_given_at_create_are_reported_back()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(10, "notes.txt");
        body["user"] = "alice";
        body["whole_checksum_sha256"] = new string('a', 64);
        var session = await mock.CreateSessionAsync(body);
        Assert.Equal("alice", session.GetProperty("user").GetString());
        Assert.Equal("/home/alice/notes.txt", session.GetProperty("target_path").GetString());
        Assert.Equal(new string('a', 64), session.GetProperty("whole_checksum_sha256").GetString());
    }

    [Fact]
    public async Task Creating_in_an_unknown_sandbox_is_404_sandbox_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(10), sandbox: "sb_nothere1");
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "sandbox_not_found");
    }

    [Fact]
    public async Task A_sandbox_that_is_not_ready_answers_409_sandbox_not_ready_retryable()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.ConfigureSandboxAsync(new JsonObject { ["ready"] = false });
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(10));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "sandbox_not_ready", retryable: true);

        await mock.ConfigureSandboxAsync(new JsonObject { ["ready"] = true });
        using var again = await mock.PostCreateAsync(SandboxMockHost.FileBody(10));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }
}
