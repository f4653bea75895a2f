using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Tests.Support;
using TestSupport;

namespace Gateway.Tests.Api.Box;

/// <summary>
/// The Box front by hand, request by request: Box's shapes, its error envelope and codes, and that a Box
/// session is a gateway session (id, tenant, v1 view). A real Redis, real mocks on loopback ports.
/// </summary>
public sealed class BoxFrontTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const long FileSize = 3 * GatewayHarness.PartSize + 1000;
    private const string Sessions = "/box/api/2.0/files/upload_sessions";

    private GatewayHarness _system = null!;
    private HttpClient _acme = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync(redis);
        _acme = _system.Client();
    }

    public async Task DisposeAsync()
    {
        _acme.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task A_session_created_at_the_Box_front_is_a_gateway_session_visible_in_v1()
    {
        var session = await CreateAsync("visible.bin");

        var id = session.GetProperty("id").GetString()!;
        Assert.Matches("^up_[a-z2-7]{32}$", id);
        Assert.Equal("upload_session", session.GetProperty("type").GetString());
        Assert.Equal(GatewayHarness.PartSize, session.GetProperty("part_size").GetInt64());
        Assert.Equal(4, session.GetProperty("total_parts").GetInt32());
        Assert.Equal(0, session.GetProperty("num_parts_processed").GetInt32());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", session.GetProperty("session_expires_at").GetString());
        var url = new Uri(_system.Gateway.BaseAddress, $"{Sessions}/{id}").ToString();
        var endpoints = session.GetProperty("session_endpoints");
        Assert.Equal(url, endpoints.GetProperty("upload_part").GetString());
        Assert.Equal(url + "/commit", endpoints.GetProperty("commit").GetString());
        Assert.Equal(url + "/parts", endpoints.GetProperty("list_parts").GetString());
        Assert.Equal(url, endpoints.GetProperty("abort").GetString());
        Assert.Equal(url, endpoints.GetProperty("status").GetString());
        Assert.Equal(url + "/log", endpoints.GetProperty("log_event").GetString());

        var v1 = JsonDocument.Parse(await _acme.GetStringAsync($"/v1/uploads/{id}")).RootElement;
        Assert.Equal("box", v1.GetProperty("backend").GetString());
        Assert.Equal(FileSize, v1.GetProperty("content_length").GetInt64());
        Assert.Equal("visible.bin", v1.GetProperty("target").GetProperty("file_name").GetString());
    }

    [Fact]
    public async Task A_whole_upload_by_hand_commits_after_Box_s_202_with_the_file_entry()
    {
        using (var box = _system.Box.CreateClient())
        {
            using var settings = await box.PatchAsync("/_mock/settings", Json("""{"commit_accepted_responses":1}"""));
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }
        var bytes = GeneratedData.Bytes(7, 0, (int)FileSize);
        var id = (await CreateAsync("whole.bin")).GetProperty("id").GetString()!;
        var parts = new List<JsonElement>();
        for (var offset = 0L; offset < FileSize; offset += GatewayHarness.PartSize)
        {
            var part = bytes[(int)offset..(int)Math.Min(FileSize, offset + GatewayHarness.PartSize)];
            using var response = await PutPartAsync(id, part, offset);
            var body = await OkAsync(response);
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(part)), body.GetProperty("part").GetProperty("sha1").GetString());
            Assert.Equal(offset, body.GetProperty("part").GetProperty("offset").GetInt64());
            parts.Add(body.GetProperty("part").Clone());
        }
        var listed = await OkAsync(await _acme.GetAsync($"{Sessions}/{id}/parts"));
        Assert.Equal(4, listed.GetProperty("total_count").GetInt32());
        Assert.Equal(JsonSerializer.Serialize(parts), JsonSerializer.Serialize(listed.GetProperty("entries")));

        using var first = await CommitAsync(id, bytes, parts);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True(first.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        using var second = await CommitAsync(id, bytes, parts);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var files = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, files.GetProperty("total_count").GetInt32());
        var file = files.GetProperty("entries")[0];
        Assert.Equal("file", file.GetProperty("type").GetString());
        Assert.Equal("whole.bin", file.GetProperty("name").GetString());
        Assert.Equal(FileSize, file.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(bytes)), file.GetProperty("sha1").GetString());
        using var box2 = _system.BoxClient();
        Assert.Equal(bytes, await box2.GetByteArrayAsync($"/2.0/files/{file.GetProperty("id").GetString()}/content"));

        // Box: an ended session is gone.
        await AssertBoxErrorAsync(await _acme.GetAsync($"{Sessions}/{id}"), 404, "not_found");
    }

    [Fact]
    public async Task A_bad_Content_Range_is_Box_s_416_and_nothing_moves()
    {
        var id = (await CreateAsync("range.bin")).GetProperty("id").GetString()!;
        var part = new byte[GatewayHarness.PartSize];

        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, contentRange: "bytes 0-100"), 416, "invalid_content_range");
        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, contentRange: null), 416, "invalid_content_range");
        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, contentRange: $"bytes 0-{part.Length - 1}/{FileSize + 1}"), 416, "range_total_mismatch");
        await AssertBoxErrorAsync(await PutPartAsync(id, part[..1000], 1000), 416, "range_not_part_aligned");
        await AssertBoxErrorAsync(await PutPartAsync(id, part[..1000], 0), 416, "range_size_mismatch");

        var listed = await OkAsync(await _acme.GetAsync($"{Sessions}/{id}/parts"));
        Assert.Equal(0, listed.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_part_whose_bytes_differ_from_its_Digest_is_400_bad_digest_and_not_stored()
    {
        var id = (await CreateAsync("digest.bin")).GetProperty("id").GetString()!;
        var part = GeneratedData.Bytes(8, 0, GatewayHarness.PartSize);

        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, digest: "sha=" + Convert.ToBase64String(SHA1.HashData(new byte[1]))), 400, "bad_digest");
        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, digest: null), 400, "missing_digest");
        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, digest: "sha=" + Convert.ToHexStringLower(SHA1.HashData(part))), 400, "invalid_digest");

        var listed = await OkAsync(await _acme.GetAsync($"{Sessions}/{id}/parts"));
        Assert.Equal(0, listed.GetProperty("total_count").GetInt32());
        using var box = _system.BoxClient();
        var v1 = JsonDocument.Parse(await _acme.GetStringAsync($"/v1/uploads/{id}")).RootElement;
        Assert.Equal(0, v1.GetProperty("parts_received").GetInt32());
    }

    [Fact]
    public async Task A_range_stored_with_other_bytes_is_416_range_overlaps_existing_part_and_an_identical_resend_is_200()
    {
        var id = (await CreateAsync("overlap.bin")).GetProperty("id").GetString()!;
        var part = GeneratedData.Bytes(9, 0, GatewayHarness.PartSize);
        var stored = await OkAsync(await PutPartAsync(id, part, 0));

        var again = await OkAsync(await PutPartAsync(id, part, 0));
        Assert.Equal(stored.GetRawText(), again.GetRawText());
        await AssertBoxErrorAsync(await PutPartAsync(id, GeneratedData.Bytes(10, 0, GatewayHarness.PartSize), 0), 416, "range_overlaps_existing_part");

        var listed = await OkAsync(await _acme.GetAsync($"{Sessions}/{id}/parts"));
        Assert.Equal(1, listed.GetProperty("total_count").GetInt32());
        Assert.Equal(stored.GetProperty("part").GetProperty("sha1").GetString(), listed.GetProperty("entries")[0].GetProperty("sha1").GetString());
    }

    [Fact]
    public async Task Commit_with_parts_missing_a_wrong_parts_list_or_a_wrong_digest_is_refused_Box_s_way_and_the_session_stays_usable()
    {
        var bytes = GeneratedData.Bytes(11, 0, (int)FileSize);
        var id = (await CreateAsync("missing.bin")).GetProperty("id").GetString()!;
        var first = (await OkAsync(await PutPartAsync(id, bytes[..GatewayHarness.PartSize], 0))).GetProperty("part").Clone();

        await AssertBoxErrorAsync(await CommitAsync(id, bytes, [first]), 400, "upload_incomplete");

        var all = new List<JsonElement> { first };
        for (var offset = (long)GatewayHarness.PartSize; offset < FileSize; offset += GatewayHarness.PartSize)
        {
            var part = await OkAsync(await PutPartAsync(id, bytes[(int)offset..(int)Math.Min(FileSize, offset + GatewayHarness.PartSize)], offset));
            all.Add(part.GetProperty("part").Clone());
        }
        await AssertBoxErrorAsync(await CommitAsync(id, bytes, [first]), 400, "parts_mismatch");
        await AssertBoxErrorAsync(await CommitAsync(id, bytes, all, digest: null), 400, "missing_digest");
        await AssertBoxErrorAsync(await CommitAsync(id, bytes, all, digest: "sha=" + Convert.ToBase64String(SHA1.HashData(new byte[1]))), 400, "digest_mismatch");

        // None of these ended the session: the right commit still lands.
        using var committed = await CommitAsync(id, bytes, all);
        Assert.Equal(HttpStatusCode.Created, committed.StatusCode);
    }

    [Fact]
    public async Task A_part_after_abort_is_Box_s_404_and_the_gateway_session_is_aborted()
    {
        var id = (await CreateAsync("aborted.bin")).GetProperty("id").GetString()!;

        using var abort = await _acme.DeleteAsync($"{Sessions}/{id}");
        Assert.Equal(HttpStatusCode.NoContent, abort.StatusCode);
        await AssertBoxErrorAsync(await PutPartAsync(id, GeneratedData.Bytes(12, 0, GatewayHarness.PartSize), 0), 404, "not_found");
        await AssertBoxErrorAsync(await _acme.DeleteAsync($"{Sessions}/{id}"), 404, "not_found");

        var v1 = JsonDocument.Parse(await _acme.GetStringAsync($"/v1/uploads/{id}")).RootElement;
        Assert.Equal("aborted", v1.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Another_tenant_s_session_is_Box_s_404_for_every_operation()
    {
        var id = (await CreateAsync("mine.bin")).GetProperty("id").GetString()!;
        using var other = _system.Client(GatewayHarness.OtherKey);
        var part = GeneratedData.Bytes(13, 0, GatewayHarness.PartSize);

        await AssertBoxErrorAsync(await other.GetAsync($"{Sessions}/{id}"), 404, "not_found");
        await AssertBoxErrorAsync(await other.GetAsync($"{Sessions}/{id}/parts"), 404, "not_found");
        await AssertBoxErrorAsync(await PutPartAsync(id, part, 0, client: other), 404, "not_found");
        await AssertBoxErrorAsync(await other.PostAsync($"{Sessions}/{id}/commit", Json("""{"parts":[]}"""), "sha=" + Convert.ToBase64String(new byte[20])), 404, "not_found");
        await AssertBoxErrorAsync(await other.DeleteAsync($"{Sessions}/{id}"), 404, "not_found");

        var mine = await OkAsync(await _acme.GetAsync($"{Sessions}/{id}"));
        Assert.Equal(0, mine.GetProperty("num_parts_processed").GetInt32());
    }

    [Fact]
    public async Task Without_a_valid_token_the_Box_front_answers_Box_s_401_with_its_challenge()
    {
        using var anonymous = _system.Gateway.CreateClient();
        using var missing = await anonymous.PostAsync(Sessions, Json("""{"folder_id":"0","file_size":10,"file_name":"a"}"""));
        Assert.Equal("Bearer realm=\"Service\"", missing.Headers.WwwAuthenticate.ToString());
        await AssertBoxErrorAsync(missing, 401, "unauthorized");

        using var wrong = _system.Gateway.CreateClient("not-a-key");
        using var refused = await wrong.GetAsync($"{Sessions}/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await AssertBoxErrorAsync(refused, 401, "unauthorized");
    }

    [Fact]
    public async Task Create_refuses_Box_s_way_field_by_field()
    {
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("""{"file_size":10,"file_name":"a"}""")), 400, "missing_destination");
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("""{"folder_id":"x1","file_size":10,"file_name":"a"}""")), 400, "invalid_folder_id");
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("""{"folder_id":"0","file_name":"a"}""")), 400, "missing_file_size");
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("""{"folder_id":"0","file_size":-1,"file_name":"a"}""")), 400, "invalid_file_size");
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("""{"folder_id":"0","file_size":10}""")), 400, "missing_file_name");
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("""{"folder_id":"0","file_size":10,"file_name":"a/b"}""")), 400, "item_name_invalid");
        await AssertBoxErrorAsync(await _acme.PostAsync(Sessions, Json("[1]")), 400, "bad_request");
        await AssertBoxErrorAsync(await _acme.GetAsync($"{Sessions}/not-an-id"), 400, "invalid_upload_session_id");
        await AssertBoxErrorAsync(await _acme.GetAsync("/box/api/2.0/nothing-here"), 404, "not_found");
    }

    [Fact]
    public async Task Session_endpoints_name_the_address_a_trusted_proxy_forwards_and_ignore_an_untrusted_one()
    {
        // Issue 23, finding 4: no proxy is trusted by default, not even loopback (a same-host proxy may pass a
        // client's header through): a direct caller's X-Forwarded-Host is not believed.
        Assert.StartsWith(new Uri(_system.Gateway.BaseAddress, Sessions).ToString(), await UploadPartUrlAsync(_acme, "evil.example.com"), StringComparison.Ordinal);

        // Configured as a trusted proxy, loopback's forwarded address is the public one.
        _system.GatewaySettings["Gateway:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        await using (var proxied = await _system.StartGatewayAsync())
        {
            using var client = proxied.CreateClient(GatewayHarness.AcmeKey);
            Assert.StartsWith($"https://uploads.example.com{Sessions}/up_", await UploadPartUrlAsync(client, "uploads.example.com"), StringComparison.Ordinal);
        }

        // With a public base URL, neither the Host header nor a forwarded host changes what the client is sent.
        _system.GatewaySettings["Gateway:ForwardedHeaders:PublicBaseUrl"] = "https://public.example.com/gw/";
        await using var pinned = await _system.StartGatewayAsync();
        using var pinnedClient = pinned.CreateClient(GatewayHarness.AcmeKey);
        Assert.StartsWith($"https://public.example.com/gw{Sessions}/up_", await UploadPartUrlAsync(pinnedClient, "evil.example.com", host: "evil.example"), StringComparison.Ordinal);
    }

    private static async Task<string> UploadPartUrlAsync(HttpClient client, string forwardedHost, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Sessions) { Content = Json("""{"folder_id":"0","file_size":2000000,"file_name":"proxied.bin"}""") };
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", forwardedHost);
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("session_endpoints").GetProperty("upload_part").GetString()!;
    }

    [Fact]
    public async Task A_folder_routed_to_a_backend_the_tenant_may_not_use_stops_the_gateway_at_start_up()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:BoxFront:Folders:1000:Backend"] = "nowhere";
        }));
        Assert.Contains("Gateway:Tenants:acme:BoxFront:Folders:1000:Backend", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_whose_backends_keep_no_Box_folders_gets_a_404_naming_why_for_a_new_file_and_a_new_version()
    {
        const string SoloKey = "solo-key-0123456789";
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:solo:ApiKeyHashes:0"] = TenantDirectory.Hash(SoloKey);
            s["Gateway:Tenants:solo:Backends:0"] = "sandbox";
            s["Gateway:Tenants:solo:AnyTarget"] = "true";
        });
        using var solo = system.Client(SoloKey);

        using var file = await solo.PostAsync(Sessions, Json("""{"folder_id":"0","file_size":2000,"file_name":"nowhere.bin"}"""));
        using var version = await solo.PostAsync("/box/api/2.0/files/123/upload_sessions", Json("""{"file_size":2000}"""));

        foreach (var response in new[] { file, version })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("no backend that stores in Box folders", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_Box_front_backend_whose_targets_take_no_Box_folders_stops_the_gateway_at_start_up()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:BoxFront:Backend"] = "sandbox";
        }));
        Assert.Contains("Gateway:Tenants:acme:BoxFront:Backend is 'sandbox', which is not a backend whose targets take Box folder ids", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_route_with_a_target_key_its_backend_does_not_take_stops_the_gateway_at_start_up()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:BoxFront:Folders:1000:Backend"] = "sandbox";
            s["Gateway:Tenants:acme:BoxFront:Folders:1000:Target:sandbox_id"] = GatewayHarness.SandboxId;
            s["Gateway:Tenants:acme:BoxFront:Folders:1000:Target:folder"] = "/workspace/x";
        }));
        Assert.Contains("Gateway:Tenants:acme:BoxFront:Folders:1000:Target:folder does not apply to a sandbox backend", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Tenants:acme:BoxFront:Folders:1000:Target:directory is required", failure.Message, StringComparison.Ordinal);
    }

    private async Task<JsonElement> CreateAsync(string name)
    {
        using var response = await _acme.PostAsync(Sessions, Json($$"""{"folder_id":"0","file_size":{{FileSize}},"file_name":"{{name}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private Task<HttpResponseMessage> PutPartAsync(string id, byte[] part, long offset, string? contentRange = "", string? digest = "", HttpClient? client = null)
    {
        var content = new ByteArrayContent(part);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Put, $"{Sessions}/{id}") { Content = content };
        var range = contentRange == "" ? $"bytes {offset}-{offset + part.Length - 1}/{FileSize}" : contentRange;
        if (range is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Range", range);
        }
        var sha = digest == "" ? "sha=" + Convert.ToBase64String(SHA1.HashData(part)) : digest;
        if (sha is not null)
        {
            request.Headers.TryAddWithoutValidation("Digest", sha);
        }
        return (client ?? _acme).SendAsync(request);
    }

    private Task<HttpResponseMessage> CommitAsync(string id, byte[] file, IEnumerable<JsonElement> parts, string? digest = "")
    {
        var body = Json(JsonSerializer.Serialize(new { parts }));
        return _acme.PostAsync($"{Sessions}/{id}/commit", body, digest == "" ? "sha=" + Convert.ToBase64String(SHA1.HashData(file)) : digest);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    /// <summary>Box's ClientError: status, code, message, context_info, help_url, request_id, as application/json.</summary>
    private static async Task AssertBoxErrorAsync(HttpResponseMessage response, int status, string code)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var error = JsonDocument.Parse(text).RootElement;
            Assert.Equal("error", error.GetProperty("type").GetString());
            Assert.Equal(status, error.GetProperty("status").GetInt32());
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            Assert.True(error.TryGetProperty("context_info", out _));
            Assert.StartsWith("https://developer.box.com/", error.GetProperty("help_url").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(error.GetProperty("request_id").GetString()));
        }
    }
}

internal static class DigestPosts
{
    /// <summary>POST with Box's <c>Digest</c> header (none when null).</summary>
    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string url, HttpContent body, string? digest)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = body };
        if (digest is not null)
        {
            request.Headers.TryAddWithoutValidation("Digest", digest);
        }
        return client.SendAsync(request);
    }
}
