using System.Net;
using System.Net.Http.Headers;
using Gateway.Hosting;
using Gateway.Tests.Support;
using Microsoft.Extensions.Options;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Auth;

/// <summary>The contract's conventions (README.md): Bearer API keys or JWTs; 401 with WWW-Authenticate otherwise; health checks open.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private GatewayHarness _system = null!;

    public async Task InitializeAsync() => _system = await GatewayHarness.StartAsync(gateway: s =>
    {
        Tokens.Configure(s);
        s["Gateway:Tenants:other:Admin"] = "true";
    });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/v1/uploads" },
        { "POST", "/v1/uploads" },
        { "GET", "/v1/uploads/up_x" },
        { "DELETE", "/v1/uploads/up_x" },
        { "PUT", "/v1/uploads/up_x/parts/1" },
        { "GET", "/v1/uploads/up_x/parts" },
        { "POST", "/v1/uploads/up_x/complete" },
        { "GET", "/v1/backends" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_refuses_a_request_without_credentials(string method, string path)
    {
        using var http = _system.Gateway.CreateClient();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent([1]) });

        await ExpectProblemAsync(response, 401, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer ")]
    [InlineData("Basic YWNtZTphY21l")]
    [InlineData("bearer")]
    [InlineData("Bearer acme-key-0123456789 extra")]
    [InlineData("Bearer a.b.c")]
    public async Task A_bad_authorization_header_is_unauthorized(string header)
    {
        using var http = _system.Gateway.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/uploads");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        await ExpectProblemAsync(await http.SendAsync(request), 401, "unauthorized");
    }

    [Fact]
    public async Task An_api_key_is_accepted_in_either_case_of_the_bearer_scheme()
    {
        using var http = _system.Gateway.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/uploads");
        request.Headers.TryAddWithoutValidation("Authorization", "bEaReR " + GatewayHarness.AcmeKey);

        await ExpectAsync(await http.SendAsync(request), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_valid_jwt_selects_its_tenant_which_then_owns_what_it_creates()
    {
        using var viaJwt = new ContractClient(_system.Gateway.CreateClient(Tokens.Create(tenant: "acme")));
        using var viaKey = new ContractClient(_system.Client(GatewayHarness.AcmeKey));
        using var other = new ContractClient(_system.Gateway.CreateClient(Tokens.Create(tenant: "other")));

        var id = (await viaJwt.CreateSandboxFileAsync(10, "/workspace/jwt.bin")).GetProperty("upload_id").GetString()!;

        await viaKey.GetOkAsync(id);
        await ExpectProblemAsync(await other.Http.GetAsync($"/v1/uploads/{id}"), 404, "not_found");
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", Tokens.Create(expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-20)) },
        { "not yet valid", Tokens.Create(notBefore: DateTime.UtcNow.AddMinutes(10), expires: DateTime.UtcNow.AddMinutes(20)) },
        { "alg none", Tokens.Unsigned() },
        { "wrong key", Tokens.Create(key: "another-signing-key-that-is-long-enough-987654321") },
        { "wrong issuer", Tokens.Create(issuer: "https://evil.test") },
        { "wrong audience", Tokens.Create(audience: "someone-else") },
        { "unknown tenant", Tokens.Create(tenant: "nobody") },
        { "no tenant", Tokens.Create(tenant: null) },
        { "tampered payload", Tamper(Tokens.Create()) },
        // Issue 23, finding 8: another profile's token type, and a critical extension nobody here understands.
        { "typ at+jwt", Tokens.Create(type: "at+jwt") },
        { "unknown crit", Tokens.Create(header: new Dictionary<string, object> { ["crit"] = new[] { "urn:example:must-check" }, ["urn:example:must-check"] = true }) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_jwt_that_fails_any_check_is_unauthorized(string why, string token)
    {
        using var http = _system.Gateway.CreateClient(token);

        var problem = await ExpectProblemAsync(await http.GetAsync("/v1/uploads"), 401, "unauthorized");

        Assert.DoesNotContain(token, problem.ToString());
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public async Task The_admin_scope_in_a_jwt_opens_the_admin_view_only_for_a_tenant_configured_as_admin()
    {
        using var notAdmin = _system.Gateway.CreateClient(Tokens.Create(tenant: "acme", scope: "uploads:admin"));
        using var admin = _system.Gateway.CreateClient(Tokens.Create(tenant: "other", scope: "uploads:admin"));
        using var adminWithoutScope = _system.Gateway.CreateClient(Tokens.Create(tenant: "other"));

        await ExpectProblemAsync(await notAdmin.GetAsync("/v1/admin/uploads"), 403, "forbidden");
        await ExpectProblemAsync(await adminWithoutScope.GetAsync("/v1/admin/uploads"), 403, "forbidden");
        await ExpectAsync(await admin.GetAsync("/v1/admin/uploads"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_plain_http_authority_stops_the_gateway_at_start_outside_development()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackApp.StartAsync(
            b => b.AddGateway(), a => a.MapGateway(), new Dictionary<string, string?>(_system.GatewaySettings)
            {
                ["Gateway:Auth:Jwt:SigningKey"] = null,
                ["Gateway:Auth:Jwt:Authority"] = "http://127.0.0.1:9/",
            }));

        Assert.Contains("Authority must be an https:// URL", exception.Message);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_checks_need_no_credentials(string path)
    {
        using var http = _system.Gateway.CreateClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_jwt_configuration_without_an_audience_stops_the_gateway_at_start()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackApp.StartAsync(
            b => b.AddGateway(), a => a.MapGateway(), new Dictionary<string, string?>(_system.GatewaySettings)
            {
                ["Gateway:Auth:Jwt:Audience"] = null,
            }));

        Assert.Contains("Gateway:Auth:Jwt:Audience is required", exception.Message);
    }

    [Fact]
    public async Task A_key_hash_that_is_not_sha256_hex_stops_the_gateway_at_start()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackApp.StartAsync(
            b => b.AddGateway(), a => a.MapGateway(), new Dictionary<string, string?>(_system.GatewaySettings)
            {
                ["Gateway:Tenants:acme:ApiKeyHashes:0"] = "plain-text-key",
            }));

        Assert.Contains("is not a SHA-256 in hex", exception.Message);
        Assert.DoesNotContain(GatewayHarness.AcmeKey, exception.Message);
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/'))));
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload.Replace("\"acme\"", "\"other\"")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{parts[0]}.{forged}.{parts[2]}";
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
}
