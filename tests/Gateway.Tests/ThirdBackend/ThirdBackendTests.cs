using System.Net;
using System.Text.Json;
using Gateway.Backends;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.ThirdBackend;

/// <summary>
/// The backend seam is real: a third backend type, written in this test project (<see cref="OffsetStoreBackendType"/>
/// over the <see cref="OffsetStore"/>, a store with offsets and no part numbers), registered by the test host with one
/// line and configured like any other, takes the v1 contract and unmodified tus-js-client uploads, with nothing under
/// <c>gateway/</c> naming it.
/// </summary>
public sealed class ThirdBackendTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;
    private const string Backend = "store";
    private const string Bucket = "b1";

    private OffsetStore _store = null!;
    private GatewayHarness _system = null!;
    private ContractClient _client = null!;
    private string _staging = null!;

    public async Task InitializeAsync()
    {
        const string Token = "offset-store-token";
        _store = await OffsetStore.StartAsync(Token, PartSize);
        _staging = Path.Combine(Path.GetTempPath(), "third-backend-tus-" + Guid.NewGuid().ToString("N"));
        _system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            // Configuration only: the backend, its YARP cluster, who may use it, and front defaults in its own keys.
            s[$"Gateway:Backends:{Backend}:Type"] = "offsets";
            s[$"Gateway:Backends:{Backend}:Cluster"] = "store-cluster";
            s[$"Gateway:Backends:{Backend}:Credential"] = Token;
            s["ReverseProxy:Clusters:store-cluster:Destinations:one:Address"] = _store.BaseAddress.ToString();
            s["Gateway:Tenants:acme:Backends:2"] = Backend;
            s["Gateway:Tenants:other:Backends:2"] = Backend;
            s["Gateway:Tenants:other:Targets:Buckets:0"] = "theirs";
            s["Gateway:Rechunking:StagingDirectory"] = _staging;
            s["Gateway:Tenants:acme:Tus:Backend"] = Backend;
            s["Gateway:Tenants:acme:Tus:Target:bucket"] = Bucket;
            s["Gateway:Tenants:acme:Tus:Target:prefix"] = "tus";
            s["Gateway:Tenants:acme:BoxFront:Folders:7000:Backend"] = Backend;
            s["Gateway:Tenants:acme:BoxFront:Folders:7000:Target:bucket"] = Bucket;
            s["Gateway:Tenants:acme:BoxFront:Folders:7000:Target:prefix"] = "box";
        }, everyApp: builder => builder.Services.AddUploadBackendType<OffsetStoreBackendType>("offsets"));
        _client = new ContractClient(_system.Client());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _system.DisposeAsync();
        await _store.DisposeAsync();
        if (Directory.Exists(_staging))
        {
            Directory.Delete(_staging, recursive: true);
        }
    }

    [Fact]
    public async Task The_backends_list_names_the_third_type_and_its_target_fields()
    {
        using var http = _system.Client();
        var backends = JsonDocument.Parse(await http.GetStringAsync("/v1/backends")).RootElement.GetProperty("backends");

        var store = backends.EnumerateArray().Single(b => b.GetProperty("name").GetString() == Backend);
        Assert.Equal("offsets", store.GetProperty("type").GetString());
        Assert.Equal(["bucket", "key"], store.GetProperty("target_fields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["file"], store.GetProperty("kinds").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task A_file_sent_in_parallel_out_of_order_parts_lands_byte_exact_and_the_status_tells_what_is_missing()
    {
        var file = TestData.Bytes(5 * PartSize + 4321, seed: 31);
        var created = await CreateAsync(file.Length, "v1/data.bin");
        var id = created.GetProperty("upload_id").GetString()!;
        Assert.Equal("offsets", created.GetProperty("backend_type").GetString());
        Assert.Equal("""{"bucket":"b1","key":"v1/data.bin"}""", created.GetProperty("target").GetRawText());
        Assert.Equal(PartSize, created.GetProperty("part_size").GetInt64());
        Assert.Equal(6, created.GetProperty("part_count").GetInt32());

        await Task.WhenAll(new[] { 5, 2, 1 }.Select(n => _client.PutPartOkAsync(id, n, file, PartSize)));
        var partial = await _client.GetOkAsync(id);
        Assert.Equal(3, partial.GetProperty("next_part").GetInt32());
        Assert.Equal("3-4,6", partial.GetProperty("missing_parts").GetString());

        await Task.WhenAll(new[] { 6, 3, 4 }.Select(n => _client.PutPartOkAsync(id, n, file, PartSize, TestData.ContentDigest(Slice(file, n, PartSize)))));
        Assert.Equal("staged", (await _client.GetOkAsync(id)).GetProperty("status").GetString());

        using var complete = await _client.CompleteAsync(id, new { checksum = new { sha256 = TestData.Sha256Hex(file) } });
        var result = (await ExpectAsync(complete, HttpStatusCode.OK)).GetProperty("result");
        Assert.Equal("v1/data.bin", result.GetProperty("path").GetString());
        Assert.Equal(file.Length, result.GetProperty("size").GetInt64());
        Assert.Equal(file, await _store.ReadAsync(Bucket, "v1/data.bin"));
        Assert.Equal(0, _store.OpenSessions);
    }

    [Fact]
    public async Task A_part_is_known_by_the_sha256_the_gateway_computed_so_a_retry_counts_once_and_other_bytes_conflict()
    {
        var file = TestData.Bytes(2 * PartSize, seed: 32);
        var id = (await CreateAsync(file.Length, "v1/retry.bin")).GetProperty("upload_id").GetString()!;
        await _client.PutPartOkAsync(id, 1, file, PartSize);

        var again = await _client.PutPartOkAsync(id, 1, file, PartSize);
        Assert.Equal(1, again.GetProperty("parts_received").GetInt32());
        Assert.Equal(PartSize, again.GetProperty("accepted_bytes").GetInt64());

        using var other = await _client.PutPartAsync(id, 1, TestData.Bytes(PartSize, seed: 99));
        await ExpectProblemAsync(other, 409, "part_conflict");

        using var wrongDigest = await _client.PutPartAsync(id, 2, Slice(file, 2, PartSize), TestData.ContentDigest(TestData.Bytes(PartSize, seed: 98)));
        await ExpectProblemAsync(wrongDigest, 400, "checksum_mismatch");
        Assert.Equal(PartSize, (await _client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
    }

    [Fact]
    public async Task A_wrong_whole_object_sha256_fails_the_upload_and_lands_nothing()
    {
        var file = TestData.Bytes(PartSize + 9, seed: 33);
        var id = (await CreateAsync(file.Length, "v1/wrong.bin")).GetProperty("upload_id").GetString()!;
        await _client.PutPartOkAsync(id, 1, file, PartSize);
        await _client.PutPartOkAsync(id, 2, file, PartSize);

        using var complete = await _client.CompleteAsync(id, new { checksum = new { sha256 = new string('0', 64) } });

        await ExpectProblemAsync(complete, 400, "checksum_mismatch");
        Assert.Equal("failed", (await _client.GetOkAsync(id)).GetProperty("status").GetString());
        Assert.False(_store.Exists(Bucket, "v1/wrong.bin"));
    }

    [Fact]
    public async Task Aborting_ends_the_upload_here_and_at_the_store_and_an_empty_upload_completes_at_once()
    {
        var file = TestData.Bytes(2 * PartSize, seed: 34);
        var id = (await CreateAsync(file.Length, "v1/aborted.bin")).GetProperty("upload_id").GetString()!;
        var open = _store.OpenSessions;
        await _client.PutPartOkAsync(id, 1, file, PartSize);

        using var abort = await _client.AbortAsync(id);

        Assert.Equal(HttpStatusCode.NoContent, abort.StatusCode);
        Assert.Equal(open - 1, _store.OpenSessions);
        await ExpectProblemAsync(await _client.PutPartAsync(id, 2, Slice(file, 2, PartSize)), 409, "invalid_state");

        var empty = await CreateAsync(0, "v1/empty.bin");
        Assert.Equal("staged", empty.GetProperty("status").GetString());
        using var complete = await _client.CompleteAsync(empty.GetProperty("upload_id").GetString()!);
        await ExpectAsync(complete, HttpStatusCode.OK);
        Assert.Empty(await _store.ReadAsync(Bucket, "v1/empty.bin"));
    }

    [Theory]
    [InlineData("""{"bucket":"b1"}""", 422, "invalid_target")]
    [InlineData("""{"bucket":"b1","key":"../up.bin"}""", 422, "invalid_target")]
    [InlineData("""{"bucket":"b1","key":"a.bin","sandbox_id":"sb_test0001"}""", 422, "invalid_target")]
    [InlineData("""{"bucket":"b1","key":"a.bin","mode":"0777"}""", 400, "invalid_request")]
    [InlineData("""{"bucket":1,"key":"a.bin"}""", 400, "invalid_request")]
    public async Task A_target_the_store_cannot_take_is_refused_in_the_contracts_terms(string target, int status, string code)
    {
        using var response = await _client.CreateAsync(JsonDocument.Parse($$"""{"backend":"{{Backend}}","content_length":1,"target":{{target}}}""").RootElement);

        await ExpectProblemAsync(response, status, code);
    }

    [Fact]
    public async Task The_conflict_rule_and_the_tenants_bucket_rule_are_the_stores_own()
    {
        var file = TestData.Bytes(10, seed: 35);
        await UploadWholeAsync(file, "v1/taken.bin");

        using var clash = await _client.CreateAsync(new { backend = Backend, content_length = 10, target = new { bucket = Bucket, key = "v1/taken.bin" } });
        await ExpectProblemAsync(clash, 409, "conflict");
        var replaced = TestData.Bytes(10, seed: 36);
        await UploadWholeAsync(replaced, "v1/taken.bin", conflict: "replace");
        Assert.Equal(replaced, await _store.ReadAsync(Bucket, "v1/taken.bin"));

        using var other = new ContractClient(_system.Client(GatewayHarness.OtherKey));
        using var refused = await other.CreateAsync(new { backend = Backend, content_length = 10, target = new { bucket = Bucket, key = "x.bin" } });
        var problem = await ExpectProblemAsync(refused, 422, "invalid_target");
        Assert.Contains("bucket b1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tus_js_client_uploads_by_metadata_in_chunks_off_the_part_boundaries_and_lands_byte_exact()
    {
        var file = TestData.Bytes(4 * PartSize + 777, seed: 37);

        await TusUploadAsync(file, new { backend = Backend, bucket = Bucket, key = "tus/chunked.bin" }, chunkSize: 3 * PartSize / 8);

        Assert.Equal(file, await _store.ReadAsync(Bucket, "tus/chunked.bin"));
    }

    [Fact]
    public async Task Tus_js_client_with_only_a_filename_lands_at_the_tenants_default_target_in_the_stores_own_keys()
    {
        var file = TestData.Bytes(2 * PartSize + 3, seed: 38);

        await TusUploadAsync(file, new { filename = "default.bin" });
        await TusUploadAsync(file, new { filename = "parallel.bin" }, parallelUploads: 3);

        Assert.Equal(file, await _store.ReadAsync(Bucket, "tus/default.bin"));
        Assert.Equal(file, await _store.ReadAsync(Bucket, "tus/parallel.bin"));
    }

    [Fact]
    public async Task Tus_metadata_missing_what_the_store_needs_is_a_400_naming_the_key()
    {
        using var http = _system.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tus/");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", "10");
        request.Headers.Add("Upload-Metadata", "backend " + Convert.ToBase64String("store"u8.ToArray()) + ",bucket " + Convert.ToBase64String("b1"u8.ToArray()));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'filename'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Box_front_routes_a_folder_to_the_store_by_the_stores_own_keys_and_answers_the_file_in_Boxs_shape()
    {
        const string Sessions = "/box/api/2.0/files/upload_sessions";
        var file = TestData.Bytes(2 * PartSize + 11, seed: 39);
        using var http = _system.Client();
        using var create = await http.PostAsync(Sessions, Json($$"""{"folder_id":"7000","file_size":{{file.Length}},"file_name":"routed.bin"}"""));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var id = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var parts = new List<JsonElement>();
        for (var offset = 0; offset < file.Length; offset += PartSize)
        {
            var part = file[offset..Math.Min(file.Length, offset + PartSize)];
            using var put = new HttpRequestMessage(HttpMethod.Put, $"{Sessions}/{id}") { Content = new ByteArrayContent(part) };
            put.Content.Headers.TryAddWithoutValidation("Content-Range", $"bytes {offset}-{offset + part.Length - 1}/{file.Length}");
            put.Headers.TryAddWithoutValidation("Digest", "sha=" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(part)));
            using var answer = await http.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            parts.Add(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("part").Clone());
        }
        using var commit = new HttpRequestMessage(HttpMethod.Post, $"{Sessions}/{id}/commit") { Content = Json(JsonSerializer.Serialize(new { parts })) };
        commit.Headers.TryAddWithoutValidation("Digest", "sha=" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(file)));
        using var committed = await http.SendAsync(commit);

        Assert.Equal(HttpStatusCode.Created, committed.StatusCode);
        var entry = JsonDocument.Parse(await committed.Content.ReadAsStringAsync()).RootElement.GetProperty("entries")[0];
        Assert.Equal("routed.bin", entry.GetProperty("name").GetString());
        Assert.Equal("7000", entry.GetProperty("parent").GetProperty("id").GetString());
        Assert.Equal(file, await _store.ReadAsync(Bucket, "box/routed.bin"));
    }

    private async Task<JsonElement> CreateAsync(long length, string key, string conflict = "error") =>
        await _client.CreateOkAsync(new { backend = Backend, content_length = length, conflict, target = new { bucket = Bucket, key } });

    private async Task UploadWholeAsync(byte[] file, string key, string conflict = "error")
    {
        var id = (await CreateAsync(file.Length, key, conflict)).GetProperty("upload_id").GetString()!;
        await _client.PutPartOkAsync(id, 1, file, PartSize);
        using var complete = await _client.CompleteAsync(id);
        await ExpectAsync(complete, HttpStatusCode.OK);
    }

    private async Task TusUploadAsync(byte[] file, object metadata, int? chunkSize = null, int? parallelUploads = null)
    {
        var path = Path.Combine(_staging, "client-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_staging);
        await File.WriteAllBytesAsync(path, file);
        await TusJsClient.RunAsync(new
        {
            scenario = "upload",
            endpoint = _system.Gateway.BaseAddress + "tus/",
            key = GatewayHarness.AcmeKey,
            file = path,
            chunkSize,
            parallelUploads,
            metadata,
        });
    }
}
