using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.UploadTokens;

/// <summary>
/// Upload tokens at the HTTP level (in a browser, across two instances on Redis: tests/Gateway.Tests/Browser):
/// minting rights, scope, max_bytes, max_uploads, expiry, revocation, and what a token may not do.
/// </summary>
public sealed class UploadTokenTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private GatewayHarness _system = null!;

    public async Task InitializeAsync() => _system = await GatewayHarness.StartAsync(clock: _clock, gateway: s =>
    {
        s["Gateway:Tenants:acme:UploadTokens:Mint"] = "true";
        s["Gateway:Tenants:other:UploadTokens:Mint"] = "true";
    });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task A_token_creates_inside_its_prefix_and_nowhere_else()
    {
        var token = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/in/" }, max_bytes = 100, expires_in = 60 });
        using var http = _system.Gateway.CreateClient(token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(http, "/workspace/in/a.txt", 10)).StatusCode);
        foreach (var path in new[] { "/workspace/inbox/a.txt", "/workspace/a.txt", "/workspace/in/../a.txt", "/workspace/in" })
        {
            using var response = await CreateAsync(http, path, 10);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity, $"{path}: {response.StatusCode}");
        }
        using var tooLarge = await CreateAsync(http, "/workspace/in/b.txt", 101);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        using var box = await http.PostAsJsonAsync("/v1/uploads", new { backend = "box", target = new { folder_id = "0", file_name = "x" }, content_length = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, box.StatusCode);
    }

    [Fact]
    public async Task A_box_folder_token_creates_new_files_in_that_folder_and_no_new_versions()
    {
        var token = await MintAsync(new { backend = "box", target = new { folder_id = "0" }, max_bytes = 100 });
        using var http = _system.Gateway.CreateClient(token.GetProperty("token").GetString());
        var cases = new (object Target, HttpStatusCode Status)[]
        {
            (new { folder_id = "0", file_name = "in.txt" }, HttpStatusCode.Created),
            (new { folder_id = "1", file_name = "in.txt" }, HttpStatusCode.Forbidden),
            (new { file_id = "12345" }, HttpStatusCode.Forbidden),
        };
        foreach (var (target, status) in cases)
        {
            using var response = await http.PostAsJsonAsync("/v1/uploads", new { backend = "box", target, content_length = 5, conflict = "error" });
            Assert.True(response.StatusCode == status, $"{JsonSerializer.Serialize(target)}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_token_sees_only_its_own_sessions_and_may_not_list_mint_or_administer()
    {
        using var acme = _system.Client();
        var others = await (await CreateAsync(acme, "/workspace/in/theirs.txt", 5)).Content.ReadFromJsonAsync<JsonElement>();
        var token = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/in" }, max_bytes = 100 });
        using var http = _system.Gateway.CreateClient(token.GetProperty("token").GetString());
        var mine = await (await CreateAsync(http, "/workspace/in/mine.txt", 5)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/uploads/" + mine.GetProperty("upload_id").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/uploads/" + others.GetProperty("upload_id").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/v1/uploads/" + others.GetProperty("upload_id").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/v1/uploads")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/v1/admin/uploads")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("/v1/upload-tokens", new { backend = "sandbox" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.DeleteAsync("/v1/upload-tokens/" + token.GetProperty("token_id").GetString())).StatusCode);
        using var partial = new HttpRequestMessage(HttpMethod.Post, "/tus/");
        partial.Headers.Add("Tus-Resumable", "1.0.0");
        partial.Headers.Add("Upload-Length", "5");
        partial.Headers.Add("Upload-Concat", "partial");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(partial)).StatusCode);
    }

    [Fact]
    public async Task Max_uploads_expiry_and_revocation_end_a_token()
    {
        var token = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/in" }, max_bytes = 100, max_uploads = 1, expires_in = 30 });
        using var http = _system.Gateway.CreateClient(token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(http, "/workspace/in/1.txt", 5)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(http, "/workspace/in/2.txt", 5)).StatusCode);

        _clock.Advance(TimeSpan.FromSeconds(31));
        using var expired = await http.GetAsync("/v1/backends");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", expired.Headers.WwwAuthenticate.ToString());

        var second = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/exact.txt" }, max_bytes = 100 });
        using var exact = _system.Gateway.CreateClient(second.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(exact, "/workspace/other.txt", 5)).StatusCode);
        using var acme = _system.Client();
        using var otherTenant = _system.Client(GatewayHarness.OtherKey);
        Assert.Equal(HttpStatusCode.NotFound, (await otherTenant.DeleteAsync("/v1/upload-tokens/" + second.GetProperty("token_id").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await acme.DeleteAsync("/v1/upload-tokens/" + second.GetProperty("token_id").GetString())).StatusCode);
        using var revoked = await CreateAsync(exact, "/workspace/exact.txt", 5);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", revoked.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Minting_needs_the_right_and_a_sound_scope_and_is_capped_in_time()
    {
        await using var noRight = await GatewayHarness.StartAsync();
        using var plain = noRight.Client();
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.PostAsJsonAsync("/v1/upload-tokens", new { backend = "sandbox" })).StatusCode);

        using var acme = _system.Client();
        var bad = new object[]
        {
            new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/../etc" }, max_bytes = 1 },
            new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/x" }, max_bytes = -1 },
            new { backend = "nope", target = new { folder_id = "1" }, max_bytes = 1 },
            new { backend = "sandbox", target = new { folder_id = "1" }, max_bytes = 1 },
            new { backend = "box", target = new { folder_id = "1" }, max_bytes = 1, max_uploads = 0 },
        };
        foreach (var body in bad)
        {
            using var response = await acme.PostAsJsonAsync("/v1/upload-tokens", body);
            Assert.True((int)response.StatusCode is 400 or 413 or 422, $"{JsonSerializer.Serialize(body)}: {response.StatusCode}");
        }
        var capped = await MintAsync(new { backend = "box", target = new { folder_id = "1" }, max_bytes = 1, expires_in = 86400 });
        Assert.Equal(_clock.GetUtcNow().AddHours(1), capped.GetProperty("expires_at").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.True(capped.GetProperty("scope").GetProperty("prefix").GetBoolean());
    }

    private async Task<JsonElement> MintAsync(object body)
    {
        using var acme = _system.Client();
        using var response = await acme.PostAsJsonAsync("/v1/upload-tokens", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient http, string path, long length) =>
        http.PostAsJsonAsync("/v1/uploads", new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path }, content_length = length, conflict = "error" });
}
