using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;
using Microsoft.AspNetCore.Http;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Hooks;

/// <summary>
/// The pre-create hook through every front (v1, tus, Box): a real receiver on a loopback port that verifies
/// each call's signature; 2xx lets the create through, 4xx is <c>403 hook_rejected</c> with its message, a
/// timeout, a 5xx, a redirect or no listener is <c>503 hook_unavailable</c>; a refused create holds no quota
/// and opens no backend session. A real Redis, the real mocks.
/// </summary>
public sealed class PreCreateHookTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>acme's staging quota: one create of this size fills it.</summary>
    private const long Quota = 4 * GatewayHarness.PartSize;

    private const string BoxSessions = "/box/api/2.0/files/upload_sessions";

    [Fact]
    public async Task An_allowed_v1_create_proceeds_after_one_signed_call_carrying_the_request_and_no_secret()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = new ContractClient(system.Client());

        var session = await client.CreateSandboxFileAsync(1234, "/workspace/hook/allowed.bin");

        var call = Assert.Single(hook.Calls);
        Assert.True(call.SignatureValid);
        Assert.Equal(session.GetProperty("upload_id").GetString(), call.Id);
        Assert.InRange(long.Parse(call.Timestamp), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        var body = call.Json;
        Assert.Equal("upload.pre_create", body.GetProperty("type").GetString());
        Assert.Equal(call.Id, body.GetProperty("upload_id").GetString());
        Assert.Equal("acme", body.GetProperty("tenant").GetString());
        Assert.Equal("sandbox", body.GetProperty("backend").GetString());
        Assert.Equal("sandbox", body.GetProperty("backend_type").GetString());
        Assert.Equal(GatewayHarness.SandboxId, body.GetProperty("target").GetProperty("sandbox_id").GetString());
        Assert.Equal("/workspace/hook/allowed.bin", body.GetProperty("target").GetProperty("path").GetString());
        Assert.Equal("file", body.GetProperty("kind").GetString());
        Assert.Equal("error", body.GetProperty("conflict").GetString());
        Assert.Equal(1234, body.GetProperty("size").GetInt64());
        Assert.Equal(JsonValueKind.Object, body.GetProperty("metadata").ValueKind);
        Assert.Equal("application/json", call.Headers["Content-Type"].Split(';')[0]);
        Assert.False(call.Headers.ContainsKey("Authorization"));
        var everything = call.Body + string.Join("\n", call.Headers.Select(h => h.Key + ": " + h.Value));
        foreach (var secret in new[] { GatewayHarness.AcmeKey, GatewayHarness.SandboxKey, GatewayHarness.BoxToken, HookReceiver.Secret })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
        Assert.Equal(1, await LiveSandboxSessionsAsync(system));
    }

    [Theory]
    [InlineData(403, """{"message":"Uploads to /workspace/hook are closed today."}""", "application/json", "Uploads to /workspace/hook are closed today.")]
    [InlineData(422, """{"title":"x","detail":"Size over the project's allowance."}""", "application/problem+json", "Size over the project's allowance.")]
    [InlineData(400, "Plain text\nreason\u0007 here", "text/plain", "Plain text reason here")]
    [InlineData(409, "", "text/plain", "This deployment's pre-create hook refused the upload (HTTP 409).")]
    public async Task A_refusal_is_403_hook_rejected_with_the_hooks_message_and_nothing_is_created_or_held(int status, string answer, string type, string detail)
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = new ContractClient(system.Client());
        hook.Answer = HookReceiver.Respond(status, answer, type);

        using var refused = await client.CreateAsync(SandboxCreate("/workspace/hook/refused.bin", Quota));

        var problem = await ExpectProblemAsync(refused, 403, "hook_rejected");
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.True(Assert.Single(hook.Calls).SignatureValid);
        Assert.Equal(0, await LiveSandboxSessionsAsync(system));
        Assert.Equal(0, (await client.Http.GetFromJsonAsync<JsonElement>("/v1/uploads")).GetProperty("uploads").GetArrayLength());
        await AssertNoQuotaHeldAsync(hook, client);
    }

    [Fact]
    public async Task A_long_refusal_is_read_only_in_part_and_its_message_is_cut()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = new ContractClient(system.Client());
        hook.Answer = HookReceiver.Respond(403, new string('n', 2_000_000), "text/plain");

        using var refused = await client.CreateAsync(SandboxCreate("/workspace/hook/long.bin", 10));

        var detail = (await ExpectProblemAsync(refused, 403, "hook_rejected")).GetProperty("detail").GetString()!;
        Assert.Equal(new string('n', 500) + "…", detail);
    }

    [Fact]
    public async Task A_hook_that_does_not_answer_in_time_is_503_hook_unavailable_and_nothing_is_created()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook, timeout: "00:00:01");
        using var client = new ContractClient(system.Client());
        hook.Answer = Hang;

        using var response = await client.CreateAsync(SandboxCreate("/workspace/hook/slow.bin", Quota));

        await ExpectProblemAsync(response, 503, "hook_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, await LiveSandboxSessionsAsync(system));
        await AssertNoQuotaHeldAsync(hook, client);
    }

    [Fact]
    public async Task A_hook_that_sends_its_headers_and_then_stalls_on_a_refusal_still_refuses_within_the_timeout()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook, timeout: "00:00:01");
        using var client = new ContractClient(system.Client());
        hook.Answer = async context =>
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            await Hang(context);
        };

        using var response = await client.CreateAsync(SandboxCreate("/workspace/hook/stall.bin", 10));

        var problem = await ExpectProblemAsync(response, 403, "hook_rejected");
        Assert.Equal("This deployment's pre-create hook refused the upload (HTTP 403).", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task A_hook_failing_with_a_5xx_is_503_hook_unavailable(int status)
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = new ContractClient(system.Client());
        hook.Answer = HookReceiver.Respond(status, """{"message":"not for the client"}""");

        using var response = await client.CreateAsync(SandboxCreate("/workspace/hook/fail.bin", Quota));

        var problem = await ExpectProblemAsync(response, 503, "hook_unavailable");
        Assert.DoesNotContain("not for the client", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(0, await LiveSandboxSessionsAsync(system));
        await AssertNoQuotaHeldAsync(hook, client);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_is_503_hook_unavailable()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = new ContractClient(system.Client());
        var elsewhere = new Uri(hook.Url, "/elsewhere").ToString();
        hook.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = elsewhere;
            return Task.CompletedTask;
        };

        using var response = await client.CreateAsync(SandboxCreate("/workspace/hook/redirect.bin", 10));

        await ExpectProblemAsync(response, 503, "hook_unavailable");
        Assert.Single(hook.Calls);
        Assert.Equal(0, await LiveSandboxSessionsAsync(system));
    }

    [Fact]
    public async Task A_hook_nobody_listens_on_is_503_hook_unavailable()
    {
        var hook = await HookReceiver.StartAsync();
        var url = hook.Url;
        await hook.DisposeAsync();
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => Configure(s, url));
        using var client = new ContractClient(system.Client());

        using var response = await client.CreateAsync(SandboxCreate("/workspace/hook/nobody.bin", 10));

        await ExpectProblemAsync(response, 503, "hook_unavailable");
        Assert.Equal(0, await LiveSandboxSessionsAsync(system));
    }

    [Fact]
    public async Task A_tenant_the_hook_is_not_for_creates_without_a_call_even_while_the_hook_refuses_everyone()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        hook.Answer = HookReceiver.Respond(403, """{"message":"no"}""");
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));
        using var acme = new ContractClient(system.Client());

        await other.CreateSandboxFileAsync(10, "/workspace/hook/other.bin");
        using var tus = await other.Http.SendAsync(TusHttp.Create(10, TusHttp.Metadata(("backend", "sandbox"), ("sandbox_id", GatewayHarness.SandboxId), ("path", "/workspace/hook/other-tus.bin"))));
        Assert.Equal(HttpStatusCode.Created, tus.StatusCode);
        Assert.Empty(hook.Calls);

        await ExpectProblemAsync(await acme.CreateAsync(SandboxCreate("/workspace/hook/acme.bin", 10)), 403, "hook_rejected");
        Assert.Single(hook.Calls);
    }

    [Fact]
    public async Task A_tus_create_sends_its_metadata_to_the_hook_and_goes_ahead_when_allowed()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = system.Client();

        using var response = await client.SendAsync(TusHttp.Create(2000, TusHttp.Metadata(("filename", "tus-allowed.bin"), ("project", "apollo"))));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var call = Assert.Single(hook.Calls);
        Assert.True(call.SignatureValid);
        Assert.Equal(response.Headers.Location!.OriginalString["/tus/".Length..], call.Id);
        var body = call.Json;
        Assert.Equal("apollo", body.GetProperty("metadata").GetProperty("project").GetString());
        Assert.Equal("tus-allowed.bin", body.GetProperty("metadata").GetProperty("filename").GetString());
        Assert.Equal("/workspace/tus/tus-allowed.bin", body.GetProperty("target").GetProperty("path").GetString());
        Assert.Equal(2000, body.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task A_tus_create_the_hook_refuses_is_403_in_tus_with_the_problem_body_and_no_upload()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = system.Client();
        hook.Answer = HookReceiver.Respond(403, """{"message":"apollo is read-only"}""");
        var file = TestData.Bytes(3000, seed: 5);

        // creation-with-upload: the bytes that came with the refused POST go nowhere.
        using var response = await client.SendAsync(TusHttp.Create(file.Length, TusHttp.Metadata(("filename", "tus-refused.bin")), file));

        var problem = await ExpectProblemAsync(response, 403, "hook_rejected");
        Assert.Equal("apollo is read-only", problem.GetProperty("detail").GetString());
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
        Assert.Null(response.Headers.Location);
        Assert.Equal(0, await LiveSandboxSessionsAsync(system));
    }

    [Fact]
    public async Task A_tus_create_the_hook_cannot_answer_is_503_in_tus()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook, timeout: "00:00:01");
        using var client = system.Client();
        hook.Answer = Hang;

        using var response = await client.SendAsync(TusHttp.Create(100, TusHttp.Metadata(("filename", "tus-slow.bin"))));

        await ExpectProblemAsync(response, 503, "hook_unavailable");
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
    }

    [Fact]
    public async Task A_Box_front_create_goes_through_the_hook_and_opens_a_Box_session_only_when_allowed()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = system.Client();
        await CountBoxCreatesAsync(system);

        hook.Answer = HookReceiver.Respond(403, """{"message":"folder 0 is frozen"}""");
        using (var refused = await client.PostAsync(BoxSessions, BoxCreate("box-refused.bin")))
        {
            var error = await ExpectBoxErrorAsync(refused, 403, "hook_rejected");
            Assert.Equal("folder 0 is frozen", error.GetProperty("message").GetString());
        }
        Assert.Equal(0, await BoxCreatesAsync(system));

        hook.Answer = HookReceiver.Respond(204);
        using (var allowed = await client.PostAsync(BoxSessions, BoxCreate("box-allowed.bin")))
        {
            Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        }
        Assert.Equal(1, await BoxCreatesAsync(system));
        Assert.Equal(2, hook.Calls.Count);
        Assert.All(hook.Calls, c => Assert.True(c.SignatureValid));
        var body = hook.Calls[1].Json;
        Assert.Equal("box", body.GetProperty("backend").GetString());
        Assert.Equal("0", body.GetProperty("target").GetProperty("folder_id").GetString());
        Assert.Equal("box-allowed.bin", body.GetProperty("target").GetProperty("file_name").GetString());
    }

    [Fact]
    public async Task A_Box_front_create_the_hook_cannot_answer_is_503_in_Boxs_envelope()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var system = await StartAsync(hook);
        using var client = system.Client();
        hook.Answer = HookReceiver.Respond(500);

        using var response = await client.PostAsync(BoxSessions, BoxCreate("box-down.bin"));

        await ExpectBoxErrorAsync(response, 503, "hook_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private Task<GatewayHarness> StartAsync(HookReceiver hook, string timeout = "00:00:15") =>
        GatewayHarness.StartAsync(redis, gateway: s => Configure(s, hook.Url, timeout));

    private static void Configure(Dictionary<string, string?> s, Uri url, string timeout = "00:00:15")
    {
        TusSettings.Apply(s);
        s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = Quota.ToString();
        s["Gateway:Hooks:PreCreate:Url"] = url.ToString();
        s["Gateway:Hooks:PreCreate:Secret"] = HookReceiver.Secret;
        s["Gateway:Hooks:PreCreate:Timeout"] = timeout;
        s["Gateway:Hooks:PreCreate:Tenants:0"] = "acme";
    }

    private static object SandboxCreate(string path, long length) =>
        new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path }, content_length = length };

    private static StringContent BoxCreate(string name) =>
        new($$"""{"folder_id":"0","file_size":3000,"file_name":"{{name}}"}""", Encoding.UTF8, "application/json");

    /// <summary>Waits until the gateway gives up on the call (a hook that never answers).</summary>
    private static async Task Hang(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A refused create held nothing: the same create, allowed now, fits in the whole quota.</summary>
    private static async Task AssertNoQuotaHeldAsync(HookReceiver hook, ContractClient client)
    {
        hook.Answer = HookReceiver.Respond(204);
        await client.CreateSandboxFileAsync(Quota, "/workspace/hook/whole-quota.bin");
    }

    /// <summary>Sessions the sandbox holds a reservation for: each one the gateway opened there.</summary>
    private static async Task<int> LiveSandboxSessionsAsync(GatewayHarness system)
    {
        using var mock = system.Sandbox.CreateClient();
        var view = await mock.GetFromJsonAsync<JsonElement>($"/_mock/sandboxes/{GatewayHarness.SandboxId}");
        return view.GetProperty("usage").GetProperty("live_sessions").GetInt32();
    }

    private const int Sentinel = 1000;

    /// <summary>A latency-0 fault on Box's session create counts each one mock-box receives (its count goes down by one per match).</summary>
    private static async Task CountBoxCreatesAsync(GatewayHarness system)
    {
        using var mock = system.Box.CreateClient();
        using var response = await mock.PostAsJsonAsync("/_mock/faults", new { kind = "latency", method = "POST", path = "/upload_sessions", latency_ms = 0, count = Sentinel });
        response.EnsureSuccessStatusCode();
    }

    private static async Task<int> BoxCreatesAsync(GatewayHarness system)
    {
        using var mock = system.Box.CreateClient();
        var rules = await mock.GetFromJsonAsync<JsonElement>("/_mock/faults");
        return Sentinel - rules.EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "latency").GetProperty("count").GetInt32();
    }

    private static async Task<JsonElement> ExpectBoxErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("request_id").GetString()));
        return error;
    }
}
