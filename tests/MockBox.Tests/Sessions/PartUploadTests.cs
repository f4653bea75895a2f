using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MockBox.Tests.Support;

namespace MockBox.Tests.Sessions;

/// <summary>mock-box/README.md operation 4. Sessions of 150,000 bytes: parts at 0 and 65536 of 65536 bytes, the last at 131072 of 18928.</summary>
public sealed class PartUploadTests
{
    private const long FileSize = 150_000;
    private const long LastOffset = 131_072;
    private const long LastSize = FileSize - LastOffset;

    [Fact]
    public async Task Part_is_stored_and_answered_with_the_part_object_and_its_hex_sha1()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 65536, length: 65536);

        var part = (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part");
        Assert.Matches("^[0-9A-F]{8}$", part.GetProperty("part_id").GetString());
        Assert.Equal(65536, part.GetProperty("offset").GetInt64());
        Assert.Equal(65536, part.GetProperty("size").GetInt64());
        Assert.Equal(TestData.Sha1Hex(5, 65536, 65536), part.GetProperty("sha1").GetString());
    }

    [Fact]
    public async Task Last_part_may_be_shorter_than_the_part_size()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: LastOffset, length: LastSize);

        var part = (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part");
        Assert.Equal(LastSize, part.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task Part_sent_with_chunked_transfer_encoding_is_accepted()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65536, chunked: true);

        var part = (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part");
        Assert.Equal(TestData.Sha1Hex(5, 0, 65536), part.GetProperty("sha1").GetString());
    }

    [Fact]
    public async Task Part_larger_than_kestrels_default_body_limit_is_accepted_up_to_the_part_size()
    {
        const long partSize = 32 * 1024 * 1024; // above Kestrel's 30,000,000-byte default
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:PartSize"] = partSize.ToString() });
        var session = await box.CreateSessionAsync(partSize + 10);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 0, length: partSize);

        var part = (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part");
        Assert.Equal(partSize, part.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task Part_with_a_wrong_digest_is_refused_with_bad_digest_and_not_stored()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65536,
            digest: "sha=" + TestData.Sha1Base64(seed: 6, 0, 65536));

        await BoxAssert.ErrorAsync(response, 400, "bad_digest");
        using var status = await box.Client.GetAsync(session.Endpoint("status"));
        Assert.Equal(0, (await BoxAssert.StatusAsync(status, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
        Assert.Empty(Directory.GetFiles(Path.Combine(box.DataRoot, "sessions", session.Id)));
    }

    [Fact]
    public async Task Digest_algorithm_name_is_case_insensitive_and_other_digests_beside_sha_are_ignored()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65536,
            digest: "MD5=AAAAAAAAAAAAAAAAAAAAAA==, SHA=" + TestData.Sha1Base64(5, 0, 65536));

        await BoxAssert.StatusAsync(response, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null, "missing_digest")]
    [InlineData("md5=AAAAAAAAAAAAAAAAAAAAAA==", "invalid_digest")]
    [InlineData("sha=not base64!", "invalid_digest")]
    [InlineData("sha=AAAAAAAAAAAAAAAAAAAAAA==", "invalid_digest")] // 16 bytes, not a SHA-1
    [InlineData("sha=0123456789abcdef0123456789abcdef01234567", "invalid_digest")] // hex, which Box refuses
    public async Task Part_without_a_usable_sha_digest_is_refused_with_400(string? digest, string code)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var request = new HttpRequestMessage(HttpMethod.Put, session.Endpoint("upload_part")) { Content = new ByteArrayContent(TestData.Bytes(5, 0, 65536)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"bytes 0-65535/{FileSize}");
        if (digest is not null)
        {
            request.Headers.TryAddWithoutValidation("Digest", digest);
        }

        using var response = await box.Client.SendAsync(request);

        await BoxAssert.ErrorAsync(response, 400, code);
    }

    [Theory]
    [InlineData(null, "invalid_content_range")]
    [InlineData("bytes 0-65535", "invalid_content_range")]
    [InlineData("bytes=0-65535/150000", "invalid_content_range")]
    [InlineData("bytes 0-65535/*", "invalid_content_range")]
    [InlineData("bytes */150000", "invalid_content_range")]
    [InlineData("bytes 65535-0/150000", "invalid_content_range")]
    [InlineData("bytes -1-65535/150000", "invalid_content_range")]
    [InlineData("bytes 131072-150000/150000", "invalid_content_range")]
    [InlineData("bytes 0-65535/150001", "range_total_mismatch")]
    [InlineData("bytes 1-65536/150000", "range_not_part_aligned")]
    [InlineData("bytes 0-65534/150000", "range_size_mismatch")]
    [InlineData("bytes 0-131071/150000", "range_size_mismatch")]
    [InlineData("bytes 131072-149998/150000", "range_size_mismatch")]
    public async Task Content_range_outside_the_sessions_part_grid_is_refused_with_416(string? contentRange, string code)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var request = new HttpRequestMessage(HttpMethod.Put, session.Endpoint("upload_part")) { Content = new ByteArrayContent(TestData.Bytes(5, 0, 100)) };
        request.Headers.TryAddWithoutValidation("Digest", "sha=" + TestData.Sha1Base64(5, 0, 100));
        if (contentRange is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        }

        using var response = await box.Client.SendAsync(request);

        await BoxAssert.ErrorAsync(response, 416, code);
    }

    [Fact]
    public async Task Byte_identical_resend_of_a_stored_part_is_a_no_op_200_with_the_same_part()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        using var first = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65536);
        var stored = (await BoxAssert.StatusAsync(first, HttpStatusCode.OK)).GetProperty("part");

        using var resend = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65536, chunked: true);

        var again = (await BoxAssert.StatusAsync(resend, HttpStatusCode.OK)).GetProperty("part");
        Assert.Equal(stored.GetRawText(), again.GetRawText());
        using var list = await box.Client.GetAsync(session.Endpoint("list_parts"));
        Assert.Equal(1, (await BoxAssert.StatusAsync(list, HttpStatusCode.OK)).GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task Different_bytes_for_a_stored_range_are_refused_with_416_range_overlaps_existing_part()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        using var first = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65536);
        var stored = (await BoxAssert.StatusAsync(first, HttpStatusCode.OK)).GetProperty("part");

        using var overwrite = await box.PutPartAsync(session, seed: 6, offset: 0, length: 65536);

        await BoxAssert.ErrorAsync(overwrite, 416, "range_overlaps_existing_part");
        using var list = await box.Client.GetAsync(session.Endpoint("list_parts"));
        var entries = (await BoxAssert.StatusAsync(list, HttpStatusCode.OK)).GetProperty("entries");
        Assert.Equal(stored.GetProperty("sha1").GetString(), entries[0].GetProperty("sha1").GetString());
    }

    [Fact]
    public async Task Content_length_above_the_part_size_is_refused_with_413_request_entity_too_large()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 0, length: 65537, contentRange: $"bytes 0-65535/{FileSize}");

        await BoxAssert.ErrorAsync(response, 413, "request_entity_too_large");
    }

    [Theory]
    [InlineData(65535, false)]
    [InlineData(100, true)]
    [InlineData(65537, true)]
    public async Task Body_whose_length_differs_from_the_content_range_is_refused_with_request_size_mismatch(long bodyLength, bool chunked)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        using var response = await box.PutPartAsync(session, seed: 5, offset: 0, length: bodyLength, chunked: chunked,
            contentRange: $"bytes 0-65535/{FileSize}");

        await BoxAssert.ErrorAsync(response, 400, "request_size_mismatch");
        using var status = await box.Client.GetAsync(session.Endpoint("status"));
        Assert.Equal(0, (await BoxAssert.StatusAsync(status, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
    }

    [Fact]
    public async Task Parts_of_one_session_uploaded_in_parallel_are_all_stored_with_distinct_ids()
    {
        await using var box = await MockBoxHost.StartAsync();
        const int parts = 16;
        var session = await box.CreateSessionAsync(parts * MockBoxHost.PartSize);

        var responses = await Task.WhenAll(Enumerable.Range(0, parts).Select(async index =>
        {
            using var response = await box.PutPartAsync(session, seed: 7, offset: index * MockBoxHost.PartSize, length: MockBoxHost.PartSize);
            return (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part");
        }));

        Assert.Equal(parts, responses.Select(part => part.GetProperty("part_id").GetString()).Distinct().Count());
        using var status = await box.Client.GetAsync(session.Endpoint("status"));
        Assert.Equal(parts, (await BoxAssert.StatusAsync(status, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
    }

    [Fact]
    public async Task Concurrent_identical_sends_of_one_part_store_it_once_and_all_get_the_same_part()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);

        var parts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await box.PutPartAsync(session, seed: 7, offset: 0, length: 65536);
            return (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part").GetRawText();
        }));

        Assert.Single(parts.Distinct());
        using var list = await box.Client.GetAsync(session.Endpoint("list_parts"));
        Assert.Equal(1, (await BoxAssert.StatusAsync(list, HttpStatusCode.OK)).GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task Part_abandoned_by_the_client_mid_body_leaves_nothing_behind()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(FileSize);
        var request = new HttpRequestMessage(HttpMethod.Put, session.Endpoint("upload_part"))
        {
            Content = new StreamContent(new FailingStream(TestData.Bytes(5, 0, 65536), failAfter: 16384)),
        };
        request.Content.Headers.ContentLength = 65536;
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"bytes 0-65535/{FileSize}");
        request.Headers.TryAddWithoutValidation("Digest", "sha=" + TestData.Sha1Base64(5, 0, 65536));
        using (var client = box.CreateClient(MockBoxHost.Token))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync(request));
        }

        // The server notices the broken body on its own schedule: wait for its verdict (log events 310
        // or 312), then give any handler still in flight time to finish, instead of guessing with a sleep.
        await box.Logs.WaitForAsync(entry => entry.EventId is 310 or 312 && entry.Message.Contains(session.Id, StringComparison.Ordinal));
        var folder = Path.Combine(box.DataRoot, "sessions", session.Id);
        for (var attempt = 0; attempt < 200 && Directory.GetFiles(folder).Length > 0; attempt++)
        {
            await Task.Delay(50);
        }
        var left = Directory.GetFiles(folder);
        Assert.True(left.Length == 0, string.Join(", ", left) + " left behind; the mock logged: "
            + string.Join(" | ", box.Logs.Entries.Select(e => $"{e.EventId} {e.Message}")));
        using var status = await box.Client.GetAsync(session.Endpoint("status"));
        Assert.Equal(0, (await BoxAssert.StatusAsync(status, HttpStatusCode.OK)).GetProperty("num_parts_processed").GetInt32());
    }

    [Fact]
    public async Task Part_for_a_committed_session_is_404_not_found()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);
        var parts = await box.UploadAllPartsAsync(session, seed: 1);
        using (var commit = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(1, 1000)))
        {
            await BoxAssert.StatusAsync(commit, HttpStatusCode.Created);
        }

        using var response = await box.PutPartAsync(session, seed: 1, offset: 0, length: 1000);

        await BoxAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task Part_response_is_json()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);

        using var response = await box.PutPartAsync(session, seed: 1, offset: 0, length: 1000);

        Assert.Equal(new MediaTypeHeaderValue("application/json").MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Object, (await MockBoxHost.ReadJsonAsync(response)).GetProperty("part").ValueKind);
    }
}

/// <summary>Yields its bytes up to <c>failAfter</c>, then fails like a client whose source broke mid-upload.</summary>
internal sealed class FailingStream(byte[] content, int failAfter) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => content.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= failAfter)
        {
            throw new IOException("source broke mid-upload");
        }
        var take = Math.Min(count, failAfter - _position);
        Array.Copy(content, _position, buffer, offset, take);
        _position += take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
