using System.Net;
using System.Text.Json;
using MockBox.Tests.Support;

namespace MockBox.Tests.Sessions;

/// <summary>mock-box/README.md operation 7.</summary>
public sealed class CommitTests
{
    private const long FileSize = 150_000;

    [Fact]
    public async Task Commit_returns_201_with_the_new_file_in_a_list_and_the_bytes_read_back_exactly()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize, name: "data.bin");
        var parts = await box.UploadAllPartsAsync(session, seed: 11);

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(11, FileSize));

        var files = await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
        Assert.Equal(1, files.GetProperty("total_count").GetInt64());
        var file = Assert.Single(files.GetProperty("entries").EnumerateArray());
        Assert.Equal("file", file.GetProperty("type").GetString());
        Assert.Equal("data.bin", file.GetProperty("name").GetString());
        Assert.Equal(FileSize, file.GetProperty("size").GetInt64());
        Assert.Equal(TestData.Sha1Hex(11, 0, FileSize), file.GetProperty("sha1").GetString());
        Assert.Equal("0", file.GetProperty("parent").GetProperty("id").GetString());
        using var content = await box.Client.GetAsync($"/2.0/files/{file.GetProperty("id").GetString()}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        await TestData.AssertStreamEqualsAsync(11, 0, FileSize, await content.Content.ReadAsStreamAsync());
    }

    [Fact]
    public async Task Commit_accepts_the_parts_in_any_order()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var parts = await box.UploadAllPartsAsync(session, seed: 11);
        parts.Reverse();

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(11, FileSize));

        await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Commit_with_a_wrong_whole_file_digest_is_refused_with_digest_mismatch_and_the_session_stays_usable()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var parts = await box.UploadAllPartsAsync(session, seed: 11);

        using var wrong = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(12, FileSize));
        using var right = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(11, FileSize));

        await BoxAssert.ErrorAsync(wrong, 400, "digest_mismatch");
        await BoxAssert.StatusAsync(right, HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(null, "missing_digest")]
    [InlineData("sha=AAAA", "invalid_digest")]
    public async Task Commit_without_a_usable_digest_is_refused_with_400(string? digest, string code)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var parts = await box.UploadAllPartsAsync(session, seed: 11);

        using var response = await box.CommitAsync(session, parts, digest);

        await BoxAssert.ErrorAsync(response, 400, code);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"parts":{}}""")]
    [InlineData("""{"parts":[{"offset":0,"size":65536}]}""")]
    [InlineData("""{"parts":[{"part_id":"00000000","offset":"0","size":65536}]}""")]
    [InlineData("""not json""")]
    public async Task Commit_body_without_a_parts_array_of_upload_parts_is_refused_with_400_bad_request(string body)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        await box.UploadAllPartsAsync(session, seed: 11);
        var request = new HttpRequestMessage(HttpMethod.Post, session.Endpoint("commit")) { Content = MockBoxHost.JsonContent(body) };
        request.Headers.TryAddWithoutValidation("Digest", MockBoxHost.WholeFileDigest(11, FileSize));

        using var response = await box.Client.SendAsync(request);

        await BoxAssert.ErrorAsync(response, 400, "bad_request");
    }

    [Fact]
    public async Task Commit_before_every_part_is_uploaded_is_refused_with_upload_incomplete()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        using var part = await box.PutPartAsync(session, seed: 11, offset: 0, length: 65536);
        var stored = (await BoxAssert.StatusAsync(part, HttpStatusCode.OK)).GetProperty("part");

        using var response = await box.CommitAsync(session, [stored], MockBoxHost.WholeFileDigest(11, FileSize));

        await BoxAssert.ErrorAsync(response, 400, "upload_incomplete");
    }

    public static TheoryData<string> PartsListDefects => new() { "one part left out", "an unknown part id", "a wrong offset", "a wrong size", "a wrong sha1", "a part listed twice" };

    [Theory]
    [MemberData(nameof(PartsListDefects))]
    public async Task Commit_whose_parts_list_does_not_match_the_stored_parts_is_refused_with_parts_mismatch(string defect)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var parts = (await box.UploadAllPartsAsync(session, seed: 11)).Select(part => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(part)!).ToList();
        JsonElement Value(object value) => JsonSerializer.SerializeToElement(value);
        switch (defect)
        {
            case "one part left out": parts.RemoveAt(1); break;
            case "an unknown part id": parts[0]["part_id"] = Value("FFFFFFFF"); break;
            case "a wrong offset": parts[1]["offset"] = Value(65535); break;
            case "a wrong size": parts[2]["size"] = Value(1); break;
            case "a wrong sha1": parts[0]["sha1"] = Value(new string('0', 40)); break;
            case "a part listed twice": parts.Add(parts[0]); break;
        }

        using var response = await box.CommitAsync(session, parts.Select(part => JsonSerializer.SerializeToElement(part)), MockBoxHost.WholeFileDigest(11, FileSize));

        await BoxAssert.ErrorAsync(response, 400, "parts_mismatch");
    }

    [Fact]
    public async Task Commit_answers_202_with_retry_after_the_configured_number_of_times_then_201()
    {
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:CommitAcceptedResponses"] = "2" });
        var session = await box.CreateSessionAsync(FileSize);
        var parts = await box.UploadAllPartsAsync(session, seed: 11);
        var digest = MockBoxHost.WholeFileDigest(11, FileSize);

        using var first = await box.CommitAsync(session, parts, digest);
        using var second = await box.CommitAsync(session, parts, digest);
        using var third = await box.CommitAsync(session, parts, digest);

        foreach (var accepted in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), accepted.Headers.RetryAfter?.Delta);
            Assert.Empty(await accepted.Content.ReadAsByteArrayAsync());
        }
        await BoxAssert.StatusAsync(third, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Commit_is_201_at_once_by_default()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var parts = await box.UploadAllPartsAsync(session, seed: 11);

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(11, FileSize));

        await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Commit_of_a_name_taken_meanwhile_is_refused_with_409_item_name_in_use_and_the_session_can_still_be_aborted()
    {
        await using var box = await MockBoxHost.StartAsync();
        var first = await box.CreateSessionAsync(FileSize, name: "same.bin");
        var second = await box.CreateSessionAsync(FileSize, name: "same.bin");
        var firstParts = await box.UploadAllPartsAsync(first, seed: 11);
        var secondParts = await box.UploadAllPartsAsync(second, seed: 12);
        using (var winner = await box.CommitAsync(first, firstParts, MockBoxHost.WholeFileDigest(11, FileSize)))
        {
            await BoxAssert.StatusAsync(winner, HttpStatusCode.Created);
        }

        using var loser = await box.CommitAsync(second, secondParts, MockBoxHost.WholeFileDigest(12, FileSize));
        using var abort = await box.Client.DeleteAsync(second.Endpoint("abort"));

        var error = await BoxAssert.ErrorAsync(loser, 409, "item_name_in_use");
        Assert.Equal("same.bin", error.GetProperty("context_info").GetProperty("conflicts").GetProperty("name").GetString());
        await BoxAssert.StatusAsync(abort, HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task New_version_commit_replaces_the_content_and_changes_etag_and_file_version()
    {
        await using var box = await MockBoxHost.StartAsync();
        var original = await box.UploadFileAsync(seed: 21, size: FileSize, name: "doc.bin");
        var fileId = original.GetProperty("id").GetString()!;
        var session = await box.CreateVersionSessionAsync(fileId, 100_000, newName: "doc-v2.bin");
        var parts = await box.UploadAllPartsAsync(session, seed: 22);

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(22, 100_000),
            request => request.Headers.TryAddWithoutValidation("If-Match", original.GetProperty("etag").GetString()));

        var file = (await BoxAssert.StatusAsync(response, HttpStatusCode.Created)).GetProperty("entries")[0];
        Assert.Equal(fileId, file.GetProperty("id").GetString());
        Assert.Equal("doc-v2.bin", file.GetProperty("name").GetString());
        Assert.Equal(100_000, file.GetProperty("size").GetInt64());
        Assert.NotEqual(original.GetProperty("etag").GetString(), file.GetProperty("etag").GetString());
        Assert.NotEqual(original.GetProperty("file_version").GetProperty("id").GetString(), file.GetProperty("file_version").GetProperty("id").GetString());
        Assert.Equal(TestData.Sha1Hex(22, 0, 100_000), file.GetProperty("file_version").GetProperty("sha1").GetString());
        Assert.Equal(original.GetProperty("created_at").GetString(), file.GetProperty("created_at").GetString());
        using var content = await box.Client.GetAsync($"/2.0/files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead);
        await TestData.AssertStreamEqualsAsync(22, 0, 100_000, await content.Content.ReadAsStreamAsync());
        // Only the current version's bytes stay on disk.
        Assert.Single(Directory.GetFiles(Path.Combine(box.DataRoot, "files", fileId)));
    }

    [Fact]
    public async Task If_match_with_a_stale_etag_is_refused_with_412_precondition_failed()
    {
        await using var box = await MockBoxHost.StartAsync();
        var original = await box.UploadFileAsync(seed: 21, size: 1000);
        var fileId = original.GetProperty("id").GetString()!;
        await CommitVersionAsync(box, fileId, seed: 22);
        var session = await box.CreateVersionSessionAsync(fileId, 1000);
        var parts = await box.UploadAllPartsAsync(session, seed: 23);

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(23, 1000),
            request => request.Headers.TryAddWithoutValidation("If-Match", "\"" + original.GetProperty("etag").GetString() + "\""));

        await BoxAssert.ErrorAsync(response, 412, "precondition_failed");
    }

    [Fact]
    public async Task If_none_match_with_the_current_etag_is_refused_with_412_precondition_failed()
    {
        await using var box = await MockBoxHost.StartAsync();
        var original = await box.UploadFileAsync(seed: 21, size: 1000);
        var session = await box.CreateVersionSessionAsync(original.GetProperty("id").GetString()!, 1000);
        var parts = await box.UploadAllPartsAsync(session, seed: 22);

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(22, 1000),
            request => request.Headers.TryAddWithoutValidation("If-None-Match", original.GetProperty("etag").GetString()));

        await BoxAssert.ErrorAsync(response, 412, "precondition_failed");
    }

    [Theory]
    [InlineData("If-Match", "0", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-None-Match", "*", HttpStatusCode.Created)]
    public async Task Preconditions_on_a_new_file_see_no_current_item(string header, string value, HttpStatusCode expected)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);
        var parts = await box.UploadAllPartsAsync(session, seed: 1);

        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(1, 1000),
            request => request.Headers.TryAddWithoutValidation(header, value));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Committed_session_is_404_but_a_replayed_commit_with_the_same_digest_gets_the_same_201()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);
        var parts = await box.UploadAllPartsAsync(session, seed: 1);
        using var first = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(1, 1000));
        var file = (await BoxAssert.StatusAsync(first, HttpStatusCode.Created)).GetProperty("entries")[0];

        using var replay = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(1, 1000));
        using var otherDigest = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(2, 1000));
        using var status = await box.Client.GetAsync(session.Endpoint("status"));

        Assert.Equal(file.GetProperty("id").GetString(), (await BoxAssert.StatusAsync(replay, HttpStatusCode.Created)).GetProperty("entries")[0].GetProperty("id").GetString());
        await BoxAssert.ErrorAsync(otherDigest, 404, "not_found");
        await BoxAssert.ErrorAsync(status, 404, "not_found");
        Assert.False(Directory.Exists(Path.Combine(box.DataRoot, "sessions", session.Id)));
    }

    private static async Task CommitVersionAsync(MockBoxHost box, string fileId, long seed)
    {
        var session = await box.CreateVersionSessionAsync(fileId, 1000);
        var parts = await box.UploadAllPartsAsync(session, seed);
        using var response = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(seed, 1000));
        await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
    }
}
