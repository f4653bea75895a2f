using System.Net;
using Gateway.Auth;
using Gateway.Tests.Auth;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Security;

/// <summary>
/// Security by default: API keys, JWTs, signing keys and backend credentials never appear in responses, logs
/// or traces, whether uploads succeed or credentials are refused.
/// </summary>
public sealed class SecretsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string WrongBackendCredential = "wrong-backend-credential-c0ffee";

    private static readonly string[] Secrets =
    [
        GatewayHarness.AcmeKey, GatewayHarness.OtherKey, GatewayHarness.SandboxKey, GatewayHarness.BoxToken,
        Tokens.SigningKey, WrongBackendCredential, TenantDirectory.Hash(GatewayHarness.AcmeKey),
    ];

    [Fact]
    public async Task No_secret_appears_in_responses_logs_or_spans_of_full_uploads_and_refusals()
    {
        // Every app of both systems logs into one collector, at every level.
        var logs = new FakeLogCollector();
        using var spans = new CapturingActivityListener();
        var responses = new List<string>();
        void Capture(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
        {
            builder.Logging.AddProvider(new FakeLoggerProvider(logs));
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }

        await using (var system = await GatewayHarness.StartAsync(redis, gateway: Tokens.Configure, everyApp: Capture))
        {
            var jwt = Tokens.Create(scope: "uploads:admin");
            using var client = new ContractClient(system.Client());
            using var viaJwt = new ContractClient(system.Gateway.CreateClient(jwt));
            var file = TestData.Bytes(2 * GatewayHarness.PartSize + 5, seed: 99);

            var sandboxId = (await client.CreateSandboxFileAsync(file.Length, "/workspace/secret.bin")).GetProperty("upload_id").GetString()!;
            var boxId = (await viaJwt.CreateBoxFileAsync(file.Length, "secret.bin")).GetProperty("upload_id").GetString()!;
            for (var n = 1; n <= 3; n++)
            {
                responses.Add((await client.PutPartOkAsync(sandboxId, n, file, GatewayHarness.PartSize)).ToString());
                responses.Add((await viaJwt.PutPartOkAsync(boxId, n, file, GatewayHarness.PartSize)).ToString());
            }
            responses.Add(await Text(await client.CompleteAsync(sandboxId)));
            responses.Add(await Text(await viaJwt.CompleteAsync(boxId, new { checksum = new { sha1 = TestData.Sha1Hex(file) } })));
            responses.Add(await Text(await client.Http.GetAsync("/v1/uploads")));
            responses.Add(await Text(await client.Http.GetAsync("/v1/backends")));
            responses.Add(await Text(await client.Http.GetAsync("/readyz")));
            using var stranger = system.Gateway.CreateClient(GatewayHarness.AcmeKey + "x");
            responses.Add(await Text(await stranger.GetAsync("/v1/uploads")));
            using var badJwt = system.Gateway.CreateClient(Tokens.Create(key: "another-signing-key-that-is-long-enough-xyz"));
            responses.Add(await Text(await badJwt.GetAsync("/v1/uploads")));
        }

        // A backend that refuses the gateway's credential: the refusal is reported, the credential is not.
        await using (var system = await GatewayHarness.StartAsync(redis, everyApp: Capture, gateway: s => s["Gateway:Backends:sandbox:Credential"] = WrongBackendCredential))
        {
            using var client = new ContractClient(system.Client());
            using var refused = await client.CreateAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/x" }, content_length = 1 });
            var problem = await ExpectProblemAsync(refused, 502, "backend_error");
            responses.Add(problem.ToString());
        }

        var logLines = logs.GetSnapshot().Select(Describe).ToList();
        Assert.NotEmpty(logLines);
        Assert.NotEmpty(spans.Spans);
        foreach (var (where, texts) in new[] { ("responses", (IEnumerable<string>)responses), ("logs", logLines), ("spans", spans.Spans) })
        {
            foreach (var secret in Secrets)
            {
                var leak = texts.FirstOrDefault(t => t.Contains(secret, StringComparison.Ordinal));
                Assert.True(leak is null, $"A secret appears in {where}: {leak}");
            }
            var bearer = texts.FirstOrDefault(t => t.Contains("Bearer ", StringComparison.Ordinal) && !t.Contains("Bearer <", StringComparison.Ordinal));
            Assert.True(bearer is null, $"An Authorization header appears in {where}: {bearer}");
        }
    }

    /// <summary>A log record as text: message, exception, structured state and scopes.</summary>
    private static string Describe(FakeLogRecord record) =>
        $"{record.Level} {record.Category}[{record.Id}] {record.Message} {record.Exception} " +
        string.Join(' ', (record.StructuredState ?? []).Select(v => $"{v.Key}={v.Value}")) + " " +
        string.Join(' ', record.Scopes.Select(scope => scope is IEnumerable<KeyValuePair<string, object?>> values
            ? "scope:" + string.Join(' ', values.Select(v => $"{v.Key}={v.Value}"))
            : "scope:" + scope));

    private static async Task<string> Text(HttpResponseMessage response)
    {
        using (response)
        {
            return response.Headers + " " + await response.Content.ReadAsStringAsync();
        }
    }
}
