using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Tests.Support;

namespace Gateway.Tests.Cors;

/// <summary>
/// CORS as a browser sees it, at the HTTP level (the browser itself: tests/Gateway.Tests/Browser): preflights
/// per front, exposed headers, refusals that carry the headers, per-tenant origins, and a disallowed origin
/// that gets none.
/// </summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string Page = "http://localhost:3000";
    private const string AcmeOnly = "https://app.acme.example";
    private GatewayHarness _system = null!;

    public async Task InitializeAsync() => _system = await GatewayHarness.StartAsync(gateway: s =>
    {
        s["Gateway:Cors:AllowedOrigins:0"] = Page;
        s["Gateway:Cors:AllowedOrigins:1"] = "https://*.pages.example";
        s["Gateway:Tenants:acme:Cors:AllowedOrigins:0"] = AcmeOnly;
    });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Theory]
    [InlineData("/tus/", "POST", "authorization,tus-resumable,upload-length,upload-metadata")]
    [InlineData("/tus/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "PATCH", "authorization,tus-resumable,upload-offset,content-type,upload-checksum")]
    [InlineData("/tus/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "POST", "authorization,x-http-method-override,tus-resumable")]
    [InlineData("/v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/parts/1", "PUT", "authorization,content-digest")]
    [InlineData("/v1/uploads", "POST", "authorization,content-type")]
    [InlineData("/box/api/2.0/files/upload_sessions/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "PUT", "authorization,content-range,digest,content-type")]
    public async Task Each_front_answers_the_preflight_of_its_own_methods_and_headers(string path, string method, string headers)
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        using var response = await http.SendAsync(Preflight(path, Page, method, headers));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Page, Single(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Single(response, "Access-Control-Allow-Methods")!.Split(','));
        var allowed = Single(response, "Access-Control-Allow-Headers")!.ToLowerInvariant().Split(',');
        Assert.All(headers.Split(','), h => Assert.Contains(h, allowed));
        Assert.True(int.Parse(Single(response, "Access-Control-Max-Age")!) >= 600);
    }

    [Fact]
    public async Task A_preflight_from_a_disallowed_origin_gets_no_allow_origin()
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        using var response = await http.SendAsync(Preflight("/tus/", "http://evil.example", "POST", "authorization"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        using var suffixTrick = await http.SendAsync(Preflight("/tus/", "https://evilpages.example", "POST", "authorization"));
        Assert.False(suffixTrick.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_pattern_allows_subdomains_on_its_scheme_only()
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        using var sub = await http.SendAsync(Preflight("/v1/uploads", "https://a.b.pages.example", "POST", "authorization"));
        Assert.Equal("https://a.b.pages.example", Single(sub, "Access-Control-Allow-Origin"));
        using var plain = await http.SendAsync(Preflight("/v1/uploads", "http://a.pages.example", "POST", "authorization"));
        Assert.False(plain.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Tus_discovery_answers_with_and_without_an_origin()
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        foreach (var origin in new[] { null, Page, "http://evil.example" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/tus/");
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal("1.0.0", Single(response, "Tus-Version"));
            Assert.Equal(origin == Page ? Page : null, Single(response, "Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task Refusals_carry_the_cors_headers_and_their_body()
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        // 401 (no key), 404 (unknown upload), 412 (tus version), 413 and 422 (create), on three fronts.
        var cases = new (HttpRequestMessage Request, HttpStatusCode Status)[]
        {
            (Request(HttpMethod.Get, "/v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null), HttpStatusCode.Unauthorized),
            (Request(HttpMethod.Get, "/v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", GatewayHarness.AcmeKey), HttpStatusCode.NotFound),
            (Request(HttpMethod.Head, "/tus/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", GatewayHarness.AcmeKey, tus: true), HttpStatusCode.NotFound),
            (Request(HttpMethod.Post, "/tus/", GatewayHarness.AcmeKey), HttpStatusCode.PreconditionFailed),
            (Request(HttpMethod.Get, "/box/api/2.0/files/upload_sessions/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", GatewayHarness.AcmeKey), HttpStatusCode.NotFound),
            (Json("/v1/uploads", """{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/w/x"},"content_length":999999999999999,"conflict":"replace"}"""), HttpStatusCode.RequestEntityTooLarge),
            (Request(HttpMethod.Get, "/v1/admin/uploads", GatewayHarness.AcmeKey), HttpStatusCode.Forbidden),
        };
        foreach (var (request, status) in cases)
        {
            using var response = await http.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(Page, Single(response, "Access-Control-Allow-Origin"));
            if (request.Method != HttpMethod.Head)
            {
                Assert.NotEmpty(await response.Content.ReadAsStringAsync());
            }
        }
    }

    [Fact]
    public async Task Responses_expose_the_headers_their_clients_read()
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        using var create = Request(HttpMethod.Post, "/tus/", GatewayHarness.AcmeKey, tus: true);
        create.Headers.Add("Upload-Length", "5");
        create.Headers.Add("Upload-Metadata", "backend " + B64("sandbox") + ",sandbox_id " + B64(GatewayHarness.SandboxId) + ",path " + B64("/workspace/cors.txt") + ",conflict " + B64("replace"));
        using var response = await http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var exposed = Single(response, "Access-Control-Expose-Headers")!.ToLowerInvariant().Split(',');
        foreach (var header in new[] { "location", "upload-offset", "upload-length", "upload-metadata", "upload-expires", "upload-concat", "tus-resumable" })
        {
            Assert.Contains(header, exposed);
        }
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task A_tenant_origin_serves_that_tenant_only()
    {
        using var http = new HttpClient { BaseAddress = _system.Gateway.BaseAddress };
        // The preflight has no credentials: answered, since some tenant allows the origin.
        using var preflight = await http.SendAsync(Preflight("/v1/uploads", AcmeOnly, "GET", "authorization"));
        Assert.Equal(AcmeOnly, Single(preflight, "Access-Control-Allow-Origin"));
        using var acme = await http.SendAsync(Request(HttpMethod.Get, "/v1/uploads", GatewayHarness.AcmeKey, origin: AcmeOnly));
        Assert.Equal(HttpStatusCode.OK, acme.StatusCode);
        Assert.Equal(AcmeOnly, Single(acme, "Access-Control-Allow-Origin"));
        // Tenant "other" does not list it: its answer is not readable by that page.
        using var other = await http.SendAsync(Request(HttpMethod.Get, "/v1/uploads", GatewayHarness.OtherKey, origin: AcmeOnly));
        Assert.Null(Single(other, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Front_paths_never_redirect()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _system.Gateway.BaseAddress };
        foreach (var path in new[] { "/tus", "/tus/", "/v1/uploads/", "/box/api/2.0/files/upload_sessions/" })
        {
            using var response = await http.SendAsync(Request(HttpMethod.Post, path, GatewayHarness.AcmeKey, tus: true));
            Assert.False((int)response.StatusCode is >= 300 and < 400, $"{path}: {response.StatusCode}");
            Assert.Equal(Page, Single(response, "Access-Control-Allow-Origin"));
        }
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://example.com/path")]
    [InlineData("https://*.com")]
    [InlineData("ftp://files.example")]
    [InlineData("https://a.*.example")]
    public async Task A_bad_origin_stops_the_gateway_at_start_up(string origin)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await GatewayHarness.StartAsync(gateway: s => s["Gateway:Tenants:acme:Cors:AllowedOrigins:0"] = origin);
        });
        Assert.Contains("Gateway:Tenants:acme:Cors:AllowedOrigins:0", error.ToString());
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key, bool tus = false, string origin = Page)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (tus)
        {
            request.Headers.Add("Tus-Resumable", "1.0.0");
        }
        return request;
    }

    private static HttpRequestMessage Json(string path, string body)
    {
        var request = Request(HttpMethod.Post, path, GatewayHarness.AcmeKey);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private static string? Single(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
