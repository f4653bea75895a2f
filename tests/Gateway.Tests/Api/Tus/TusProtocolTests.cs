using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Telemetry;
using Gateway.Tests.Support;
using Gateway.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>
/// The tus 1.0 front's protocol rules, request by request, against the whole system in process (both mocks,
/// the embedded store): tus status codes, the gateway's problem body, and the bytes at the backend.
/// </summary>
public sealed class TusProtocolTests : IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;
    private GatewayHarness _system = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync(gateway: TusSettings.Apply);
        _client = _system.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task Options_advertises_version_extensions_checksums_and_the_callers_max_size_without_tus_resumable()
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/tus/"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", Header(response, "Tus-Version"));
        Assert.Equal("creation,creation-with-upload,termination,expiration,checksum,concatenation", Header(response, "Tus-Extension"));
        Assert.Equal("sha1,sha256", Header(response, "Tus-Checksum-Algorithm"));
        Assert.Equal((50L * 1024 * 1024 * 1024).ToString(), Header(response, "Tus-Max-Size"));
        Assert.Equal("", Header(response, "Tus-Resumable"));
    }

    [Fact]
    public async Task A_plain_upload_with_only_a_filename_lands_in_the_tenants_default_directory_in_one_patch()
    {
        var file = TestData.Bytes(3 * PartSize + 777, seed: 1);
        var location = await CreatedAsync(_client, file.Length, Metadata(("filename", "plain.bin"), ("filetype", "application/octet-stream")));
        Assert.Matches("^/tus/up_[a-z2-7]{32}$", location);

        using var patch = await _client.SendAsync(Patch(location, 0, file));
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        Assert.Equal(file.Length, Offset(patch));
        Assert.Equal("1.0.0", Header(patch, "Tus-Resumable"));

        var id = location["/tus/".Length..];
        var session = await GetSessionAsync(id);
        Assert.Equal("completed", session.GetProperty("status").GetString());
        Assert.Equal(file, await SandboxFileAsync("/workspace/tus/plain.bin"));
    }

    [Fact]
    public async Task Chunks_smaller_than_a_part_and_not_on_part_boundaries_complete_with_the_right_bytes()
    {
        var file = TestData.Bytes(4 * PartSize + 5, seed: 2);
        var location = await CreatedAsync(_client, file.Length, Metadata(("filename", "chunks.bin")));
        var chunk = 300 * 1024 + 7;
        for (var offset = 0; offset < file.Length; offset += chunk)
        {
            var count = Math.Min(chunk, file.Length - offset);
            using var patch = await _client.SendAsync(Patch(location, offset, file, offset, count));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            Assert.Equal(offset + count, Offset(patch));
            Assert.Equal(offset + count, await HeadOffsetAsync(_client, location));
        }
        Assert.Equal(file, await SandboxFileAsync("/workspace/tus/chunks.bin"));
    }

    [Fact]
    public async Task Head_reports_offset_length_metadata_expiry_and_no_store()
    {
        var metadata = Metadata(("filename", "head.bin"), ("filetype", "text/plain"));
        var location = await CreatedAsync(_client, 10, metadata);
        using var patch = await _client.SendAsync(Patch(location, 0, new byte[4]));
        using var head = await _client.SendAsync(Head(location));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("4", Header(head, "Upload-Offset"));
        Assert.Equal("10", Header(head, "Upload-Length"));
        Assert.Equal(metadata, Header(head, "Upload-Metadata"));
        Assert.Equal("no-store", Header(head, "Cache-Control"));
        Assert.True(DateTimeOffset.TryParse(Header(head, "Upload-Expires"), out _));
        Assert.NotEqual("", Header(patch, "Upload-Expires"));
    }

    [Fact]
    public async Task A_patch_at_the_wrong_offset_is_409_and_changes_nothing()
    {
        var location = await CreatedAsync(_client, 100, Metadata(("filename", "offset.bin")));
        using var first = await _client.SendAsync(Patch(location, 0, new byte[10]));
        using var wrong = await _client.SendAsync(Patch(location, 5, new byte[10]));
        await ExpectProblemAsync(wrong, 409, "invalid_state");
        Assert.Equal(10, await HeadOffsetAsync(_client, location));
    }

    [Fact]
    public async Task A_patch_of_another_content_type_is_415()
    {
        var location = await CreatedAsync(_client, 100, Metadata(("filename", "type.bin")));
        using var response = await _client.SendAsync(Patch(location, 0, new byte[10], contentType: "application/octet-stream"));
        await ExpectProblemAsync(response, 415, "invalid_request");
        Assert.Equal(0, await HeadOffsetAsync(_client, location));
    }

    [Fact]
    public async Task Another_protocol_version_is_412_with_the_version_spoken()
    {
        var request = Create(10, Metadata(("filename", "v.bin")));
        request.Headers.Remove("Tus-Resumable");
        request.Headers.Add("Tus-Resumable", "0.2.2");
        using var response = await _client.SendAsync(request);
        await ExpectProblemAsync(response, 412, "invalid_request");
        Assert.Equal("1.0.0", Header(response, "Tus-Version"));
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
    }

    [Theory]
    [InlineData("sha256")]
    [InlineData("sha1")]
    public async Task A_chunk_whose_checksum_differs_is_460_discarded_and_the_offset_stays(string algorithm)
    {
        var file = TestData.Bytes(2 * PartSize + 10, seed: 3);
        var location = await CreatedAsync(_client, file.Length, Metadata(("filename", $"sum-{algorithm}.bin")));
        var first = PartSize + 100;
        using (var good = WithChecksum(Patch(location, 0, file, 0, first), algorithm, file.AsSpan(0, first)))
        using (var ok = await _client.SendAsync(good))
        {
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        }
        var wrongBytes = (byte[])file.Clone();
        wrongBytes[first + 5] ^= 0xff;
        using (var bad = WithChecksum(Patch(location, first, file, first), algorithm, wrongBytes.AsSpan(first)))
        using (var refused = await _client.SendAsync(bad))
        {
            await ExpectProblemAsync(refused, 460, "checksum_mismatch");
        }
        Assert.Equal(first, await HeadOffsetAsync(_client, location));
        using (var retry = WithChecksum(Patch(location, first, file, first), algorithm, file.AsSpan(first)))
        using (var done = await _client.SendAsync(retry))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }
        Assert.Equal(file, await SandboxFileAsync($"/workspace/tus/sum-{algorithm}.bin"));
    }

    [Fact]
    public async Task An_upload_over_the_tenants_max_size_is_413()
    {
        using var response = await _client.SendAsync(Create(51L * 1024 * 1024 * 1024, Metadata(("filename", "huge.bin"))));
        await ExpectProblemAsync(response, 413, "upload_too_large");
    }

    [Fact]
    public async Task A_patch_past_upload_length_is_413_and_counts_nothing()
    {
        var location = await CreatedAsync(_client, 10, Metadata(("filename", "past.bin")));
        using var response = await _client.SendAsync(Patch(location, 0, new byte[11]));
        await ExpectProblemAsync(response, 413, "upload_too_large");
        Assert.Equal(0, await HeadOffsetAsync(_client, location));
    }

    [Fact]
    public async Task No_credentials_is_401_and_another_tenants_upload_is_404()
    {
        var location = await CreatedAsync(_client, 10, Metadata(("filename", "mine.bin")));
        using var anonymous = _system.Gateway.CreateClient();
        using (var response = await anonymous.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
        }
        using var other = _system.Client(GatewayHarness.OtherKey);
        using (var response = await other.SendAsync(Patch(location, 0, new byte[10])))
        {
            await ExpectProblemAsync(response, 404, "not_found");
        }
        Assert.Equal(0, await HeadOffsetAsync(_client, location));
    }

    [Fact]
    public async Task Termination_aborts_the_session_and_the_upload_is_404_after()
    {
        var location = await CreatedAsync(_client, 2 * PartSize, Metadata(("filename", "gone.bin")));
        using (var patch = await _client.SendAsync(Patch(location, 0, TestData.Bytes(PartSize + 3, seed: 4))))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }
        using (var delete = await _client.SendAsync(Delete(location)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        using (var head = await _client.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
        Assert.Equal("aborted", (await GetSessionAsync(location["/tus/".Length..])).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Termination_releases_the_staging_quota_and_deletes_the_staged_tail()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = (2 * PartSize).ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        using var client = system.Client();
        var location = await CreatedAsync(client, 2 * PartSize, Metadata(("filename", "quota-gone.bin")));
        using (var patch = await client.SendAsync(Patch(location, 0, TestData.Bytes(PartSize + 3, seed: 23))))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }
        var folder = system.Gateway.GetRequiredService<Gateway.Rechunking.ChunkStaging>().Folder(location["/tus/".Length..]);
        Assert.True(File.Exists(Path.Combine(folder, "tail.2")));
        // The quota is full: a second upload of the same size does not fit while the first holds its reservation.
        using (var full = await client.SendAsync(Create(2 * PartSize, Metadata(("filename", "quota-second.bin")))))
        {
            await ExpectProblemAsync(full, 422, "quota_exceeded");
        }
        using (var delete = await client.SendAsync(Delete(location)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        Assert.False(Directory.Exists(folder));
        using (var patch = await client.SendAsync(Patch(location, PartSize + 3, new byte[1])))
        {
            await ExpectProblemAsync(patch, 404, "not_found");
        }
        var second = await CreatedAsync(client, 2 * PartSize, Metadata(("filename", "quota-second.bin")));
        (await client.SendAsync(Delete(second))).Dispose();

        // A partial upload's termination gives its reservation back too.
        var partial = Create(2 * PartSize, null);
        partial.Headers.Add("Upload-Concat", "partial");
        using var created = await client.SendAsync(partial);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var full = await client.SendAsync(Create(2 * PartSize, Metadata(("filename", "quota-third.bin")))))
        {
            await ExpectProblemAsync(full, 422, "quota_exceeded");
        }
        using (var delete = await client.SendAsync(Delete(created.Headers.Location!.OriginalString)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        await CreatedAsync(client, 2 * PartSize, Metadata(("filename", "quota-third.bin")));
    }

    [Fact]
    public async Task Creation_with_upload_stores_the_first_bytes_and_a_box_target_is_chosen_by_metadata()
    {
        var file = TestData.Bytes(2 * PartSize + 99, seed: 5);
        using var created = await _client.SendAsync(Create(file.Length,
            Metadata(("backend", "box"), ("folder_id", "0"), ("filename", "boxed.bin")), file[..(PartSize + 1)]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(PartSize + 1, Offset(created));
        var location = created.Headers.Location!.OriginalString;
        using var patch = await _client.SendAsync(Patch(location, PartSize + 1, file, PartSize + 1));
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var session = await GetSessionAsync(location["/tus/".Length..]);
        Assert.Equal("completed", session.GetProperty("status").GetString());
        using var box = _system.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{session.GetProperty("result").GetProperty("file_id").GetString()}/content"));
    }

    [Fact]
    public async Task A_chunk_that_is_one_box_part_goes_on_with_its_verified_sha1_and_is_held_once()
    {
        using var capture = new MetricCapture([_system.Gateway.GetRequiredService<IMeterFactory>()], [GatewayTelemetry.Name]);
        var file = TestData.Bytes(2 * PartSize + 10, seed: 8);
        var location = await CreatedAsync(_client, file.Length, Metadata(("backend", "box"), ("folder_id", "0"), ("filename", "sha1-parts.bin")));

        // The first chunk is exactly Box's first part: held once, to check its sha1, which Box then gets as the part's.
        using (var first = WithChecksum(Patch(location, 0, file, 0, PartSize), "sha1", file.AsSpan(0, PartSize)))
        using (var stored = await _client.SendAsync(first))
        {
            Assert.Equal(HttpStatusCode.NoContent, stored.StatusCode);
        }
        Assert.Equal(1, capture.Sum(GatewayMetrics.PartsSpooled));

        // The second is a part and the last ten bytes: held to check it, then each part held again for the SHA-1 Box wants first.
        using (var rest = WithChecksum(Patch(location, PartSize, file, PartSize), "sha1", file.AsSpan(PartSize)))
        using (var done = await _client.SendAsync(rest))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }
        Assert.Equal(4, capture.Sum(GatewayMetrics.PartsSpooled));
        var session = await GetSessionAsync(location["/tus/".Length..]);
        Assert.Equal("completed", session.GetProperty("status").GetString());
        using var box = _system.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{session.GetProperty("result").GetProperty("file_id").GetString()}/content"));
    }

    [Fact]
    public async Task X_http_method_override_turns_a_post_into_a_patch()
    {
        var location = await CreatedAsync(_client, 4, Metadata(("filename", "override.bin")));
        var request = Patch(location, 0, [1, 2, 3, 4]);
        request.Method = HttpMethod.Post;
        request.Headers.Add("X-HTTP-Method-Override", "PATCH");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await SandboxFileAsync("/workspace/tus/override.bin"));

        var other = await CreatedAsync(_client, 4, Metadata(("filename", "override-gone.bin")));
        foreach (var (method, status) in new[] { ("HEAD", HttpStatusCode.OK), ("DELETE", HttpStatusCode.NoContent), ("HEAD", HttpStatusCode.NotFound) })
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, other);
            post.Headers.Add("Tus-Resumable", "1.0.0");
            post.Headers.Add("X-HTTP-Method-Override", method);
            using var answer = await _client.SendAsync(post);
            Assert.Equal(status, answer.StatusCode);
        }
    }

    [Fact]
    public async Task Partial_uploads_are_staged_until_the_final_post_streams_them_into_one_session_in_order()
    {
        var file = TestData.Bytes(3 * PartSize + 500, seed: 6);
        var cuts = new[] { 0, PartSize / 3, 2 * PartSize + 7, file.Length };
        var locations = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var piece = file[cuts[i]..cuts[i + 1]];
            var create = Create(piece.Length, null);
            create.Headers.Add("Upload-Concat", "partial");
            using var created = await _client.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var location = created.Headers.Location!.OriginalString;
            Assert.Matches("^/tus/pt_[0-9a-f]{32}$", location);
            var half = piece.Length / 2;
            using (var first = await _client.SendAsync(Patch(location, 0, piece, 0, half)))
            {
                Assert.Equal(half, Offset(first));
            }
            using (var rest = await _client.SendAsync(Patch(location, half, piece, half)))
            {
                Assert.Equal(piece.Length, Offset(rest));
            }
            using var head = await _client.SendAsync(Head(location));
            Assert.Equal("partial", Header(head, "Upload-Concat"));
            locations.Add(location);
        }
        // Not yet a session, and not a file anywhere.
        using (var v1 = await _client.GetAsync("/v1/uploads/" + locations[0]["/tus/".Length..]))
        {
            Assert.Equal(HttpStatusCode.NotFound, v1.StatusCode);
        }
        // Named out of creation order: the final upload's bytes follow the order of Upload-Concat.
        var final = new HttpRequestMessage(HttpMethod.Post, "/tus/");
        final.Headers.Add("Tus-Resumable", "1.0.0");
        var concat = "final;" + string.Join(" ", locations.Select(l => "http://gateway.example" + l));
        final.Headers.Add("Upload-Concat", concat);
        final.Headers.Add("Upload-Metadata", Metadata(("filename", "concatenated.bin")));
        using var done = await _client.SendAsync(final);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        var finalLocation = done.Headers.Location!.OriginalString;
        var id = finalLocation["/tus/".Length..];
        Assert.Equal("completed", (await GetSessionAsync(id)).GetProperty("status").GetString());
        Assert.Equal(file, await SandboxFileAsync("/workspace/tus/concatenated.bin"));
        // HEAD of the final upload says what it was made of (the concatenation extension), and keeps its metadata once complete.
        using (var head = await _client.SendAsync(Head(finalLocation)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(concat, Header(head, "Upload-Concat"));
            Assert.Equal(file.Length, Offset(head));
            Assert.Equal(file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(head, "Upload-Length"));
            Assert.Equal(Metadata(("filename", "concatenated.bin")), Header(head, "Upload-Metadata"));
        }
        // A final upload takes no PATCH of its own: 403, as the extension says.
        using (var patch = await _client.SendAsync(Patch(finalLocation, file.Length, [])))
        {
            await ExpectProblemAsync(patch, 403, "forbidden");
        }
        using (var gone = await _client.SendAsync(Head(locations[1])))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    [Fact]
    public async Task Head_of_an_upload_that_is_not_a_concatenation_has_no_upload_concat_and_keeps_its_metadata_once_complete()
    {
        var location = await CreatedAsync(_client, 4, Metadata(("filename", "plain-head.bin")));
        using (var patch = await _client.SendAsync(Patch(location, 0, [1, 2, 3, 4])))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }
        using var head = await _client.SendAsync(Head(location));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.False(head.Headers.Contains("Upload-Concat"));
        Assert.Equal(4, Offset(head));
        Assert.Equal(Metadata(("filename", "plain-head.bin")), Header(head, "Upload-Metadata"));
    }

    [Fact]
    public async Task A_tus_patch_of_an_upload_created_through_v1_is_400_and_stores_nothing()
    {
        var file = TestData.Bytes(PartSize + 10, seed: 8);
        using var v1 = new ContractClient(_system.Client());
        var id = (await v1.CreateSandboxFileAsync(file.Length, "/workspace/tus/from-v1.bin")).GetProperty("upload_id").GetString()!;

        // HEAD reads it (a tus URL is a session id), but PATCH would complete it without the whole-object digests.
        Assert.Equal(0, await HeadOffsetAsync(_client, "/tus/" + id));
        using (var patch = await _client.SendAsync(Patch("/tus/" + id, 0, file)))
        {
            await ExpectProblemAsync(patch, 400, "invalid_request");
        }
        var session = await GetSessionAsync(id);
        Assert.Equal(0, session.GetProperty("parts_received").GetInt32());
        Assert.Equal("0", Header(await _client.SendAsync(Head("/tus/" + id)), "Upload-Offset"));
    }

    [Fact]
    public async Task A_tus_patch_after_a_part_came_through_v1_goes_on_and_the_upload_completes_on_the_sandbox()
    {
        var file = TestData.Bytes(2 * PartSize + 10, seed: 9);
        var location = await CreatedAsync(_client, file.Length, Metadata(("filename", "mixed.bin")));
        var id = location["/tus/".Length..];
        using var v1 = new ContractClient(_system.Client());
        await v1.PutPartOkAsync(id, 1, file, PartSize);
        Assert.Equal(PartSize, await HeadOffsetAsync(_client, location));

        // The sandbox checks no whole-object digest tus would have had to compute from the first byte on.
        using (var patch = await _client.SendAsync(Patch(location, PartSize, file, PartSize)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        Assert.Equal("completed", (await GetSessionAsync(id)).GetProperty("status").GetString());
        Assert.Equal(file, await SandboxFileAsync("/workspace/tus/mixed.bin"));
    }

    [Fact]
    public async Task A_body_without_content_length_past_upload_length_is_413_and_does_not_complete_the_upload()
    {
        var file = TestData.Bytes(2 * PartSize + 5, seed: 10);
        var location = await CreatedAsync(_client, file.Length, Metadata(("filename", "overflow.bin")));
        using (var patch = await _client.SendAsync(ChunkedPatch(location, 0, [.. file, 42])))
        {
            await ExpectProblemAsync(patch, 413, "upload_too_large");
        }
        // The whole parts before the last are the file's and stay; the last part, with the byte too many, is gone.
        Assert.Equal(2 * PartSize, await HeadOffsetAsync(_client, location));
        Assert.Equal("uploading", (await GetSessionAsync(location["/tus/".Length..])).GetProperty("status").GetString());
        using (var rest = await _client.SendAsync(Patch(location, 2 * PartSize, file, 2 * PartSize)))
        {
            Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        }
        Assert.Equal(file, await SandboxFileAsync("/workspace/tus/overflow.bin"));

        var partial = Create(10, null);
        partial.Headers.Add("Upload-Concat", "partial");
        using var created = await _client.SendAsync(partial);
        var partialLocation = created.Headers.Location!.OriginalString;
        using (var patch = await _client.SendAsync(ChunkedPatch(partialLocation, 0, new byte[11])))
        {
            await ExpectProblemAsync(patch, 413, "upload_too_large");
        }
        Assert.Equal(0, await HeadOffsetAsync(_client, partialLocation));
    }

    private static HttpRequestMessage ChunkedPatch(string location, long offset, byte[] body)
    {
        var request = Patch(location, offset, body);
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = request.Content!.Headers.ContentType;
        content.Headers.ContentLength = null;
        request.Content = content;
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    [Fact]
    public async Task A_partial_upload_counts_against_the_tenants_staging_quota()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = "1000";
            // Bytes alone, without the per-session floor (Limits/TenantCapsTests has that).
            s["Gateway:Limits:SessionOverheadBytes"] = "0";
        });
        using var client = system.Client();
        var first = Create(800, null);
        first.Headers.Add("Upload-Concat", "partial");
        using (var ok = await client.SendAsync(first))
        {
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }
        var second = Create(300, null);
        second.Headers.Add("Upload-Concat", "partial");
        using var refused = await client.SendAsync(second);
        await ExpectProblemAsync(refused, 422, "quota_exceeded");
    }

    private static HttpRequestMessage WithChecksum(HttpRequestMessage request, string algorithm, ReadOnlySpan<byte> bytes)
    {
        var digest = algorithm == "sha1" ? SHA1.HashData(bytes) : SHA256.HashData(bytes);
        request.Headers.Add("Upload-Checksum", $"{algorithm} {Convert.ToBase64String(digest)}");
        return request;
    }

    private async Task<JsonElement> GetSessionAsync(string id)
    {
        using var response = await _client.GetAsync($"/v1/uploads/{id}");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<byte[]> SandboxFileAsync(string path)
    {
        using var sandbox = _system.SandboxClient();
        return await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}");
    }

    internal static async Task ExpectProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }
}

/// <summary>The tus settings every tus test runs with: its own staging directory, and acme's defaults (the test sandbox, /workspace/tus).</summary>
internal static class TusSettings
{
    public static void Apply(Dictionary<string, string?> s)
    {
        var staging = Path.Combine(Path.GetTempPath(), "gateway-tests", "tus-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        s["Gateway:Rechunking:StagingDirectory"] = staging;
        s["Gateway:Tenants:acme:Tus:Backend"] = "sandbox";
        s["Gateway:Tenants:acme:Tus:Target:sandbox_id"] = GatewayHarness.SandboxId;
        s["Gateway:Tenants:acme:Tus:Target:directory"] = "/workspace/tus";
        s["Gateway:Tenants:acme:Tus:Conflict"] = "replace";
    }
}
