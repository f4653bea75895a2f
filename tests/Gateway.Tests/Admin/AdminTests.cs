using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Tests.Support;
using Gateway.Tests.Telemetry;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Admin;

/// <summary>
/// The live view without Grafana: <c>GET /v1/admin/uploads</c> for a tenant with the admin scope, and the
/// <c>/dashboard</c> page that polls it, driven in headless Chromium during an upload.
/// </summary>
public sealed class AdminTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string OpsKey = "ops-admin-key-0123456789";
    private const int PartSize = GatewayHarness.PartSize;

    /// <summary>An operators' tenant whose key carries the <c>uploads:admin</c> scope.</summary>
    private static void AddOpsTenant(Dictionary<string, string?> settings)
    {
        settings["Gateway:Tenants:ops:ApiKeyHashes:0"] = TenantDirectory.Hash(OpsKey);
        settings["Gateway:Tenants:ops:Backends:0"] = "sandbox";
        settings["Gateway:Tenants:ops:Admin"] = "true";
        settings["Gateway:Tenants:ops:AnyTarget"] = "true";
    }

    [Fact]
    public async Task The_admin_view_lists_every_tenants_live_uploads_with_their_progress()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: AddOpsTenant);
        using var acme = new ContractClient(system.Client());
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));
        var file = TestData.Bytes(3 * PartSize, seed: 81);
        var uploading = (await acme.CreateSandboxFileAsync(file.Length, "/workspace/admin-a.bin")).GetProperty("upload_id").GetString()!;
        await acme.PutPartOkAsync(uploading, 1, file, PartSize);
        var created = (await other.CreateBoxFileAsync(PartSize, "admin-b.bin")).GetProperty("upload_id").GetString()!;
        var aborted = (await acme.CreateSandboxFileAsync(PartSize, "/workspace/admin-c.bin")).GetProperty("upload_id").GetString()!;
        await acme.AbortAsync(aborted);

        using var ops = system.Client(OpsKey);
        using var response = await ops.GetAsync("/v1/admin/uploads");
        var body = await ExpectAsync(response, HttpStatusCode.OK);

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(2, body.GetProperty("active_sessions").GetInt64());
        var sessions = body.GetProperty("sessions").EnumerateArray().ToDictionary(s => s.GetProperty("upload_id").GetString()!);
        Assert.Equal(new[] { created, uploading }.Order(), sessions.Keys.Order());
        var a = sessions[uploading];
        Assert.Equal("acme", a.GetProperty("tenant").GetString());
        Assert.Equal("sandbox", a.GetProperty("backend").GetString());
        Assert.Equal("uploading", a.GetProperty("status").GetString());
        Assert.Equal(3 * PartSize, a.GetProperty("content_length").GetInt64());
        Assert.Equal(PartSize, a.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal((1, 3, 0), (a.GetProperty("parts_received").GetInt32(), a.GetProperty("part_count").GetInt32(), a.GetProperty("parts_in_flight").GetInt32()));
        Assert.Equal("other", sessions[created].GetProperty("tenant").GetString());
        Assert.Equal("created", sessions[created].GetProperty("status").GetString());
        // Operators see whose and where, never a credential or the backend's own session reference.
        var text = body.GetRawText();
        Assert.DoesNotContain(GatewayHarness.SandboxKey, text);
        Assert.DoesNotContain(GatewayHarness.BoxToken, text);
        Assert.DoesNotContain("backend_session", text);
    }

    [Fact]
    public async Task The_admin_view_refuses_callers_without_the_admin_scope()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: AddOpsTenant);
        using var anonymous = system.Gateway.CreateClient();
        using var tenant = system.Client();

        await ExpectProblemAsync(await anonymous.GetAsync("/v1/admin/uploads"), 401, "unauthorized");
        await ExpectProblemAsync(await tenant.GetAsync("/v1/admin/uploads"), 403, "forbidden");
        using var ops = system.Client(OpsKey);
        await ExpectProblemAsync(await ops.GetAsync("/v1/admin/uploads?limit=0"), 400, "invalid_request");
    }

    [Fact]
    public async Task Recent_errors_are_listed_newest_first_with_the_trace_id_the_client_got()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: AddOpsTenant);
        using var acme = new ContractClient(system.Client());
        var notFound = await ExpectProblemAsync(await acme.Http.GetAsync("/v1/uploads/up_missing"), 404, "not_found");
        var unknown = await ExpectProblemAsync(await acme.CreateAsync(new { backend = "nope", content_length = 1 }), 422, "unknown_backend");

        using var ops = system.Client(OpsKey);
        var errors = (await ExpectAsync(await ops.GetAsync("/v1/admin/uploads"), HttpStatusCode.OK)).GetProperty("recent_errors");

        Assert.Equal(["unknown_backend", "not_found"], errors.EnumerateArray().Select(e => e.GetProperty("code").GetString()));
        Assert.Equal(unknown.GetProperty("trace_id").GetString(), errors[0].GetProperty("trace_id").GetString());
        var first = errors[1];
        Assert.Equal(notFound.GetProperty("trace_id").GetString(), first.GetProperty("trace_id").GetString());
        Assert.Equal("up_missing", first.GetProperty("upload_id").GetString());
        Assert.Equal(("GET", "/v1/uploads/up_missing", 404), (first.GetProperty("method").GetString(), first.GetProperty("path").GetString(), first.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task The_dashboard_page_is_served_without_credentials_and_runs_only_its_own_script()
    {
        await using var system = await GatewayHarness.StartAsync();
        using var anonymous = system.Gateway.CreateClient();

        using var page = await anonymous.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/dashboard/dashboard.js", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        foreach (var (path, type) in new[] { ("/dashboard/dashboard.js", "text/javascript"), ("/dashboard/dashboard.css", "text/css") })
        {
            using var file = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", string.Join("", file.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [ToolFact("chromium", "chromium")]
    public async Task The_dashboard_shows_an_upload_in_progress_and_follows_it_live_in_headless_chromium()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: AddOpsTenant);
        using var acme = new ContractClient(system.Client());
        var file = TestData.Bytes(4 * PartSize, seed: 91);
        var id = (await acme.CreateSandboxFileAsync(file.Length, "/workspace/watched.bin")).GetProperty("upload_id").GetString()!;
        await acme.PutPartOkAsync(id, 1, file, PartSize);
        // Part 2 stops half-way until the test lets it go: the screenshot is taken with it in flight.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var part2 = SendGatedPartAsync(system, id, 2, ContractClient.Slice(file, 2, PartSize), gate.Task);

        await using var browser = await HeadlessChromium.StartAsync(ExternalTool.Require("chromium"));
        await browser.NavigateAsync(new Uri(system.Gateway.BaseAddress, "/dashboard"));
        await browser.WaitForAsync("document.getElementById('key-form') && !document.getElementById('key-form').hidden", TimeSpan.FromSeconds(30), "the key form");
        // As a person would: type the key, submit the form.
        await browser.EvaluateAsync($"document.getElementById('key').value = {JsonSerializer.Serialize(OpsKey)}; document.getElementById('key-form').requestSubmit(); true");

        var row = $"document.querySelector('tr[data-upload-id=\"{id}\"]')";
        await browser.WaitForAsync($"{row} && {row}.dataset.percent === '25' && {row}.innerText.includes('1 in flight')", TimeSpan.FromSeconds(30),
            "the upload at 25% with a part in flight");
        var during = await SaveScreenshotAsync(browser, "dashboard-during-upload.png");

        Assert.Equal(1, (await browser.EvaluateAsync($"{row}.querySelector('progress').value / {row}.querySelector('progress').max * 4"))!.GetValue<double>());
        Assert.Equal("25%", (await browser.EvaluateAsync($"{row}.querySelector('.percent').textContent"))!.GetValue<string>());
        Assert.Contains("uploading", (await browser.EvaluateAsync($"{row}.innerText"))!.GetValue<string>());
        Assert.Equal("1", (await browser.EvaluateAsync("document.getElementById('active').textContent"))!.GetValue<string>());
        Assert.Equal("live", (await browser.EvaluateAsync("document.getElementById('state').dataset.state"))!.GetValue<string>());
        Assert.Equal("none", (await browser.EvaluateAsync("getComputedStyle(document.getElementById('key-form')).display"))!.GetValue<string>());
        // The key is kept for the tab, never written into the page.
        Assert.Equal(OpsKey, (await browser.EvaluateAsync("sessionStorage.getItem('gateway.adminKey')"))!.GetValue<string>());
        Assert.False((await browser.EvaluateAsync($"document.documentElement.outerHTML.includes({JsonSerializer.Serialize(OpsKey)})"))!.GetValue<bool>());

        // Live: the part finishes and the bar moves without a reload; then the upload completes and leaves the list.
        gate.SetResult();
        await ExpectAsync(await part2, HttpStatusCode.OK);
        await browser.WaitForAsync($"{row} && {row}.dataset.percent === '50' && !{row}.innerText.includes('in flight')", TimeSpan.FromSeconds(30), "the upload at 50%");
        await acme.PutPartOkAsync(id, 3, file, PartSize);
        await acme.PutPartOkAsync(id, 4, file, PartSize);
        await ExpectAsync(await acme.CompleteAsync(id), HttpStatusCode.OK);
        await browser.WaitForAsync($"!{row} && !document.getElementById('no-sessions').hidden", TimeSpan.FromSeconds(30), "the completed upload gone from the list");
        var after = await SaveScreenshotAsync(browser, "dashboard-after-upload.png");

        Assert.True(new FileInfo(during).Length > 10_000, "the screenshot during the upload is an image of the page");
        Assert.True(File.Exists(after));
    }

    /// <summary>A part whose body stops after its first half until <paramref name="gate"/> completes.</summary>
    private static async Task<HttpResponseMessage> SendGatedPartAsync(GatewayHarness system, string id, int n, byte[] bytes, Task gate)
    {
        using var http = system.Client();
        var content = new GatedContent(bytes, gate);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = bytes.Length;
        return await http.PutAsync($"/v1/uploads/{id}/parts/{n}", content);
    }

    /// <summary>Saves a PNG under TestResults/screenshots and checks it is one.</summary>
    private static async Task<string> SaveScreenshotAsync(HeadlessChromium browser, string name)
    {
        var png = await browser.ScreenshotAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var directory = Path.Combine(SharedSpecs.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, png);
        Assert.True(File.Exists(path), path);
        return path;
    }

    private sealed class GatedContent(byte[] bytes, Task gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var half = bytes.Length / 2;
            await stream.WriteAsync(bytes.AsMemory(0, half));
            await stream.FlushAsync();
            await gate;
            await stream.WriteAsync(bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
