using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Uploads;

public sealed class PartTests
{
    private const int Size = 2 * SandboxMockHost.PartSize + 100; // three parts, the last one 100 bytes

    [Fact]
    public async Task Parts_are_zero_based_and_may_arrive_out_of_order()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(1, 0, Size);
        var id = (await mock.CreateFileSessionAsync(Size)).Id();

        var afterLast = await mock.PutPartOkAsync(id, 2, content.AsMemory(2 * SandboxMockHost.PartSize));
        Assert.Equal("uploading", afterLast.Status());
        Assert.Equal(100, afterLast.Long("accepted_bytes"));
        Assert.Equal(0, afterLast.Long("next_part"));

        var afterFirst = await mock.PutPartOkAsync(id, 0, content.AsMemory(0, SandboxMockHost.PartSize));
        Assert.Equal(1, afterFirst.Long("next_part"));
        Assert.Equal(SandboxMockHost.PartSize + 100, afterFirst.Long("accepted_bytes"));

        var afterMiddle = await mock.PutPartOkAsync(id, 1, content.AsMemory(SandboxMockHost.PartSize, SandboxMockHost.PartSize));
        Assert.Equal("staged", afterMiddle.Status());
        Assert.Equal(Size, afterMiddle.Long("accepted_bytes"));
        Assert.True(afterMiddle.IsNull("next_part"));
        Assert.Equal(Size, afterMiddle.Long("reserved_staging_bytes"));
    }

    [Fact]
    public async Task Next_part_is_the_lowest_part_not_yet_accepted()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:PartSize"] = "10" });
        var id = (await mock.CreateFileSessionAsync(50)).Id();
        var part = new byte[10];
        Assert.Equal(0, (await mock.PutPartOkAsync(id, 1, part)).Long("next_part"));
        Assert.Equal(0, (await mock.PutPartOkAsync(id, 3, part)).Long("next_part"));
        Assert.Equal(2, (await mock.PutPartOkAsync(id, 0, part)).Long("next_part"));
        Assert.Equal(4, (await mock.PutPartOkAsync(id, 2, part)).Long("next_part"));
        Assert.True((await mock.PutPartOkAsync(id, 4, part)).IsNull("next_part"));
    }

    [Fact]
    public async Task Replaying_a_part_with_the_same_bytes_is_accepted_once()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(2, 0, Size);
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        var first = await mock.PutPartOkAsync(id, 0, content.AsMemory(0, SandboxMockHost.PartSize));
        var replay = await mock.PutPartOkAsync(id, 0, content.AsMemory(0, SandboxMockHost.PartSize));

        Assert.Equal(SandboxMockHost.PartSize, first.Long("accepted_bytes"));
        Assert.Equal(SandboxMockHost.PartSize, replay.Long("accepted_bytes"));
        Assert.Equal("uploading", replay.Status());
        Assert.Equal(1, replay.Long("next_part"));
    }

    [Fact]
    public async Task Replaying_a_part_with_different_bytes_is_409_upload_conflict_and_keeps_the_first()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(3, 0, 100);
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        await mock.PutPartOkAsync(id, 0, content);

        using var response = await mock.PutPartAsync(id, 0, TestData.Bytes(4, 0, 100));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("part_mismatch", error.GetProperty("details").GetProperty("reason").GetString());

        Assert.Equal(100, (await mock.GetStatusAsync(id)).Long("accepted_bytes"));
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(content));
        Assert.Equal(content, await File.ReadAllBytesAsync(mock.HostPath("/workspace/file.bin")));
    }

    [Theory]
    [InlineData(0u, SandboxMockHost.PartSize - 1)]
    [InlineData(0u, SandboxMockHost.PartSize + 1)]
    [InlineData(2u, 99)]
    [InlineData(2u, 101)]
    [InlineData(2u, 0)]
    public async Task A_part_of_the_wrong_length_is_400_invalid_request(uint part, int length)
    {
        // max_part_bytes above part_size, so an over-long part is a wrong length rather than too large.
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:MaxPartBytes"] = (2 * SandboxMockHost.PartSize).ToString() });
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        foreach (var chunked in new[] { false, true })
        {
            using var response = await mock.PutPartAsync(id, part, new byte[length], chunked: chunked);
            var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
            Assert.Equal("wrong_part_length", error.GetProperty("details").GetProperty("reason").GetString());
        }
        Assert.Equal(0, (await mock.GetStatusAsync(id)).Long("accepted_bytes"));
    }

    [Fact]
    public async Task A_body_over_max_part_bytes_is_413_whether_declared_or_chunked()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:MaxPartBytes"] = (2 * SandboxMockHost.PartSize).ToString() });
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        foreach (var chunked in new[] { false, true })
        {
            var body = new GeneratedStream(5, 0, 2 * SandboxMockHost.PartSize + 1);
            using var response = await mock.PutPartAsync(id, 0, body, body.Length, chunked: chunked);
            var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "file_upload_limit_exceeded");
            Assert.Equal(2 * SandboxMockHost.PartSize, error.GetProperty("details").Long("limit_bytes"));
        }
        Assert.Equal(0, (await mock.GetStatusAsync(id)).Long("accepted_bytes"));
    }

    [Fact]
    public async Task By_default_max_part_bytes_is_the_part_size_so_a_longer_part_is_413()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var session = await mock.CreateFileSessionAsync(Size);
        Assert.Equal(SandboxMockHost.PartSize, session.GetProperty("limits").Long("max_part_bytes"));
        using var response = await mock.PutPartAsync(session.Id(), 0, new byte[SandboxMockHost.PartSize + 1], chunked: true);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "file_upload_limit_exceeded");
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4294967296")]
    [InlineData("-1")]
    [InlineData("one")]
    [InlineData("+1")]
    public async Task A_part_number_that_is_not_a_part_of_the_upload_is_400_invalid_request(string part)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        using var response = await mock.Client.PutAsync($"{SandboxMockHost.UploadUrl(id)}/parts/{part}", new ByteArrayContent(new byte[100]));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_part_with_a_matching_sha256_header_is_accepted()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(6, 0, 100);
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        using var response = await mock.PutPartAsync(id, 0, content, sha256: TestData.Sha256Hex(content));
        Assert.Equal("staged", (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).Status());
    }

    [Fact]
    public async Task A_part_whose_sha256_header_does_not_match_is_400_and_not_stored()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(7, 0, 100);
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        using var response = await mock.PutPartAsync(id, 0, content, sha256: TestData.Sha256Hex(TestData.Bytes(8, 0, 100)));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(TestData.Sha256Hex(content), error.GetProperty("details").GetProperty("actual_sha256").GetString());

        var status = await mock.GetStatusAsync(id);
        Assert.Equal(0, status.Long("accepted_bytes"));
        Assert.Equal("created", status.Status());
        Assert.Empty(Directory.EnumerateFiles(mock.StagingPath(id), "*", SearchOption.AllDirectories));

        // Not stored, so different bytes for that part are a first upload, not a conflicting replay.
        await mock.PutPartOkAsync(id, 0, TestData.Bytes(9, 0, 100));
    }

    [Theory]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc")]
    [InlineData("sha256=abcdef")]
    public async Task A_malformed_sha256_header_is_400_invalid_request(string header)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        using var response = await mock.PutPartAsync(id, 0, new byte[100], sha256: header);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_part_sent_chunked_without_content_length_is_accepted()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        using var response = await mock.PutPartAsync(id, 0, new GeneratedStream(10, 0, SandboxMockHost.PartSize), SandboxMockHost.PartSize, chunked: true);
        Assert.Equal(SandboxMockHost.PartSize, (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).Long("accepted_bytes"));
    }

    [Fact]
    public async Task A_part_that_is_not_an_octet_stream_is_400_invalid_request()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(2)).Id();
        using var response = await mock.Client.PutAsync(SandboxMockHost.PartUrl(id, 0), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_part_larger_than_kestrels_default_body_limit_is_accepted()
    {
        const long Big = 40L * 1024 * 1024; // Kestrel's default MaxRequestBodySize is 30,000,000 bytes
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:PartSize"] = Big.ToString() });
        var id = (await mock.CreateFileSessionAsync(Big)).Id();
        using var response = await mock.PutGeneratedPartAsync(id, 0, 11, Big, Big);
        Assert.Equal("staged", (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).Status());
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(11, 0, Big));
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("aborted")]
    [InlineData("failed")]
    public async Task Parts_after_the_session_has_ended_are_409_upload_conflict(string end)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(12, 0, 100);
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        await mock.PutPartOkAsync(id, 0, content);
        switch (end)
        {
            case "completed":
                await mock.CompleteOkAsync(id);
                break;
            case "aborted":
                (await mock.AbortAsync(id)).Dispose();
                break;
            case "failed":
                (await mock.PostCompleteAsync(id, new string('0', 64))).Dispose();
                break;
        }
        Assert.Equal(end, (await mock.GetStatusAsync(id)).Status());

        using var response = await mock.PutPartAsync(id, 0, content);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal(end, error.GetProperty("details").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_spooled_stream_takes_its_parts_strictly_in_order()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(13, 0, Size);
        var body = SandboxMockHost.FileBody(Size);
        body["source_kind"] = "spooled_stream";
        var id = (await mock.CreateSessionAsync(body)).Id();

        using (var ahead = await mock.PutPartAsync(id, 1, content.AsMemory(SandboxMockHost.PartSize, SandboxMockHost.PartSize)))
        {
            var error = await ApiAssert.ErrorAsync(ahead, HttpStatusCode.Conflict, "upload_conflict");
            Assert.Equal(0, error.GetProperty("details").Long("next_part"));
        }
        await mock.PutPartOkAsync(id, 0, content.AsMemory(0, SandboxMockHost.PartSize));
        using (var behind = await mock.PutPartAsync(id, 0, content.AsMemory(0, SandboxMockHost.PartSize)))
        {
            var error = await ApiAssert.ErrorAsync(behind, HttpStatusCode.Conflict, "upload_conflict");
            Assert.Equal(1, error.GetProperty("details").Long("next_part"));
        }
        await mock.PutPartOkAsync(id, 1, content.AsMemory(SandboxMockHost.PartSize, SandboxMockHost.PartSize));
        Assert.Equal("staged", (await mock.PutPartOkAsync(id, 2, content.AsMemory(2 * SandboxMockHost.PartSize))).Status());
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(content));
    }

    [Fact]
    public async Task A_part_for_an_unknown_upload_is_404_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PutPartAsync("upload_00000000000000000000000000000000", 0, new byte[1]);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
        using var sandbox = await mock.PutPartAsync("upload_x", 0, new GeneratedStream(1, 0, 1), 1, sandbox: "sb_nothere1");
        await ApiAssert.ErrorAsync(sandbox, HttpStatusCode.NotFound, "sandbox_not_found");
    }

    [Fact]
    public async Task A_session_with_many_parts_sent_at_once_counts_every_part()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?>
        {
            ["MockSandbox:PartSize"] = "4096",
            ["MockSandbox:MaxConcurrency"] = "64",
        });
        const long Length = 32 * 4096 - 7;
        var id = (await mock.CreateFileSessionAsync(Length)).Id();
        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(p => mock.PutGeneratedPartAsync(id, (uint)p, 14, Length, 4096)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var status = await mock.GetStatusAsync(id);
        Assert.Equal(Length, status.Long("accepted_bytes"));
        Assert.Equal("staged", status.Status());
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(14, 0, Length));
    }
}
