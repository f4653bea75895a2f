using System.Net;
using System.Text;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Uploads;

public sealed class CompleteTests
{
    private const int Size = 3 * SandboxMockHost.PartSize - 5;

    [Fact]
    public async Task Completing_publishes_the_file_and_reports_it()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(30, 0, Size);
        var id = (await mock.CreateFileSessionAsync(Size, "/data/out/result.bin")).Id();
        await mock.UploadPartsAsync(id, content);

        var body = await mock.CompleteOkAsync(id, TestData.Sha256Hex(content));
        Assert.Equal(["published_bytes", "published_file_count", "session"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(Size, body.Long("published_bytes"));
        Assert.Equal(1, body.Long("published_file_count"));
        var session = body.GetProperty("session");
        Assert.Equal("completed", session.Status());
        Assert.Equal(0, session.Long("reserved_staging_bytes"));
        Assert.Equal(TestData.Sha256Hex(content), session.GetProperty("whole_checksum_sha256").GetString());

        using var file = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/data/out/result.bin"));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("application/octet-stream", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content, await file.Content.ReadAsByteArrayAsync());
        Assert.False(Directory.Exists(mock.StagingPath(id)));
    }

    [Fact]
    public async Task The_server_computes_the_digest_when_none_was_given()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(31, 0, 1000);
        var id = (await mock.CreateFileSessionAsync(1000)).Id();
        await mock.UploadPartsAsync(id, content);
        var body = await mock.CompleteOkAsync(id);
        Assert.Equal(TestData.Sha256Hex(content), body.GetProperty("session").GetProperty("whole_checksum_sha256").GetString());
    }

    [Fact]
    public async Task An_empty_upload_completes_at_once_into_an_empty_file()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var session = await mock.CreateFileSessionAsync(0, "/tmp/empty");
        Assert.Equal(0, session.Long("part_count"));
        var body = await mock.CompleteOkAsync(session.Id(), TestData.Sha256Hex([]));
        Assert.Equal(0, body.Long("published_bytes"));
        Assert.Equal("", await mock.ReadFileAsync("/tmp/empty"));
    }

    [Fact]
    public async Task Completing_before_every_part_is_in_is_409_with_the_next_part()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(32, 0, Size);
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        await mock.PutPartOkAsync(id, 0, content.AsMemory(0, SandboxMockHost.PartSize));
        await mock.PutPartOkAsync(id, 2, content.AsMemory(2 * SandboxMockHost.PartSize));

        using var response = await mock.PostCompleteAsync(id);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal(1, error.GetProperty("details").Long("next_part"));
        Assert.Equal("uploading", (await mock.GetStatusAsync(id)).Status());
    }

    [Fact]
    public async Task A_digest_mismatch_at_complete_fails_the_session_with_422_and_publishes_nothing()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(33, 0, Size);
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        await mock.UploadPartsAsync(id, content);

        using var response = await mock.PostCompleteAsync(id, TestData.Sha256Hex(TestData.Bytes(34, 0, Size)));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity, "upload_conflict");
        Assert.Equal("checksum_mismatch", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal(TestData.Sha256Hex(content), error.GetProperty("details").GetProperty("actual_sha256").GetString());

        var status = await mock.GetStatusAsync(id);
        Assert.Equal("failed", status.Status());
        Assert.Equal(0, status.Long("reserved_staging_bytes"));
        Assert.Null(await mock.ReadFileAsync("/workspace/file.bin"));
        Assert.False(Directory.Exists(mock.StagingPath(id)));
    }

    [Fact]
    public async Task A_digest_given_at_create_is_checked_at_complete()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(35, 0, 500);
        var body = SandboxMockHost.FileBody(500);
        body["whole_checksum_sha256"] = TestData.Sha256Hex(TestData.Bytes(36, 0, 500));
        var id = (await mock.CreateSessionAsync(body)).Id();
        await mock.UploadPartsAsync(id, content);

        using var response = await mock.PostCompleteAsync(id);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity, "upload_conflict");
        Assert.Equal("failed", (await mock.GetStatusAsync(id)).Status());
    }

    [Fact]
    public async Task A_malformed_digest_at_complete_is_invalid_fields_and_changes_nothing()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(10)).Id();
        await mock.PutPartOkAsync(id, 0, new byte[10]);
        using var response = await mock.PostCompleteAsync(id, "not-a-digest");
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal("whole_checksum_sha256", ApiAssert.FirstField(error).Field);
        Assert.Equal("staged", (await mock.GetStatusAsync(id)).Status());
    }

    [Fact]
    public async Task Conflict_error_refuses_an_existing_file_and_keeps_the_session_staged()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/file.bin", "original");
        var content = TestData.Bytes(37, 0, 300);
        var id = (await mock.CreateFileSessionAsync(300)).Id();
        await mock.UploadPartsAsync(id, content);

        using var response = await mock.PostCompleteAsync(id);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("target_exists", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("original", await mock.ReadFileAsync("/workspace/file.bin"));
        var status = await mock.GetStatusAsync(id);
        Assert.Equal("staged", status.Status());
        Assert.Equal(300, status.Long("reserved_staging_bytes"));

        // Once the target is gone, the same staged bytes publish.
        File.Delete(mock.HostPath("/workspace/file.bin"));
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(content));
        Assert.Equal(content, await File.ReadAllBytesAsync(mock.HostPath("/workspace/file.bin")));
    }

    [Theory]
    [InlineData("replace")]
    [InlineData("merge")]
    public async Task Replace_and_merge_overwrite_an_existing_file(string policy)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/file.bin", "original");
        var body = SandboxMockHost.FileBody(0);
        body["conflict"] = policy;
        using var response = await mock.UploadAsync(body, Encoding.UTF8.GetBytes("replacement"));
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("replacement", await mock.ReadFileAsync("/workspace/file.bin"));
    }

    [Fact]
    public async Task A_file_cannot_take_the_place_of_a_directory()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/dir/inner.txt", "inner");
        var body = SandboxMockHost.FileBody(0, "/workspace/dir");
        body["conflict"] = "replace";
        using var response = await mock.UploadAsync(body, Encoding.UTF8.GetBytes("file"));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("target_is_directory", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("inner", await mock.ReadFileAsync("/workspace/dir/inner.txt"));
    }

    [Fact]
    public async Task A_parent_that_is_a_file_is_a_conflict()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/plain", "plain");
        using var response = await mock.UploadAsync(SandboxMockHost.FileBody(0, "/workspace/plain/child"), Encoding.UTF8.GetBytes("x"));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("parent_not_directory", error.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Completing_again_with_the_same_key_replays_the_200()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(10)).Id();
        await mock.PutPartOkAsync(id, 0, new byte[10]);

        using var first = await mock.PostCompleteAsync(id, idempotencyKey: "complete-1");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var replay = await mock.PostCompleteAsync(id, idempotencyKey: "complete-1");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());

        using var otherKey = await mock.PostCompleteAsync(id, idempotencyKey: "complete-2");
        var error = await ApiAssert.ErrorAsync(otherKey, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("completed", error.GetProperty("details").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Completing_without_an_idempotency_key_is_400_invalid_request()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(0)).Id();
        using var response = await mock.PostCompleteAsync(id, idempotencyKey: "");
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("created", (await mock.GetStatusAsync(id)).Status());
    }

    [Fact]
    public async Task Completing_an_unknown_upload_is_404_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCompleteAsync("upload_00000000000000000000000000000000");
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Completing_an_aborted_upload_is_409_upload_conflict()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(0)).Id();
        (await mock.AbortAsync(id)).Dispose();
        using var response = await mock.PostCompleteAsync(id);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("aborted", error.GetProperty("details").GetProperty("status").GetString());
    }
}
