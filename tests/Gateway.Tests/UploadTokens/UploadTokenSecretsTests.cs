using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Security;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;

namespace Gateway.Tests.UploadTokens;

/// <summary>An upload token is a credential: it appears in its mint response and nowhere else — no log, span, or admin view.</summary>
public sealed class UploadTokenSecretsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_token_never_appears_in_logs_spans_or_the_admin_view_whether_used_or_refused()
    {
        var logs = new FakeLogCollector();
        using var spans = new CapturingActivityListener();
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:UploadTokens:Mint"] = "true";
            s["Gateway:Tenants:acme:Admin"] = "true";
        }, everyApp: b =>
        {
            b.Logging.AddProvider(new FakeLoggerProvider(logs));
            b.Logging.SetMinimumLevel(LogLevel.Trace);
        });
        using var acme = system.Client();
        using var minted = await acme.PostAsJsonAsync("/v1/upload-tokens", new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/s" }, max_bytes = 10 });
        var body = await minted.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        var secret = token.Split('_')[2];

        var views = new List<string>();
        foreach (var used in new[] { token, token[..^1] + (token.EndsWith('a') ? "b" : "a") })
        {
            using var http = system.Gateway.CreateClient(used);
            views.Add(await (await http.PostAsJsonAsync("/v1/uploads", new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/s/a" }, content_length = 3 })).Content.ReadAsStringAsync());
            views.Add(await (await http.PostAsJsonAsync("/v1/uploads", new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/elsewhere" }, content_length = 3 })).Content.ReadAsStringAsync());
            views.Add(await (await http.GetAsync("/v1/uploads")).Content.ReadAsStringAsync());
        }
        await acme.DeleteAsync("/v1/upload-tokens/" + body.GetProperty("token_id").GetString());
        views.Add(await acme.GetStringAsync("/v1/admin/uploads"));

        var logLines = logs.GetSnapshot().Select(r => $"{r.Message} {r.Exception} " + string.Join(' ', (r.StructuredState ?? []).Select(v => $"{v.Key}={v.Value}"))).ToList();
        Assert.Contains(logLines, line => line.Contains(body.GetProperty("token_id").GetString()!, StringComparison.Ordinal));
        foreach (var (where, texts) in new[] { ("logs", (IEnumerable<string>)logLines), ("spans", spans.Spans), ("responses", views) })
        {
            var leak = texts.FirstOrDefault(t => t.Contains(secret, StringComparison.Ordinal) || t.Contains(secret[..^1], StringComparison.Ordinal));
            Assert.True(leak is null, $"The token appears in {where}: {leak}");
        }
    }
}
