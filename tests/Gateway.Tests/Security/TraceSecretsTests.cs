using System.Net;
using System.Text.RegularExpressions;
using Gateway.Tests.Support;
using StackExchange.Redis;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Security;

/// <summary>
/// The spans the instrumentation packages add (a span per Redis command, HttpClient's and ASP.NET Core's
/// HTTP spans) hold no secret and no key material: not the Redis password, no key or script argument (keys
/// name the tenant's sessions, script arguments carry tenant names and lease tokens), no credential.
/// </summary>
public sealed class TraceSecretsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string RedisSource = "OpenTelemetry.Instrumentation.StackExchangeRedis";
    private const string RedisPassword = "redis-secret-password-5f0c1e";

    [Fact]
    public async Task Spans_of_uploads_through_a_password_protected_redis_carry_command_names_but_no_key_argument_or_credential()
    {
        // This class's own server: require a password from now on, as a production Redis does.
        using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).ConfigSetAsync("requirepass", RedisPassword);
        }
        using var spans = new CapturingActivityListener();
        string keyPrefix;
        string[] ids;
        await using (var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Store:Redis"] += ",password=" + RedisPassword))
        {
            keyPrefix = system.GatewaySettings["Gateway:Store:KeyPrefix"]!;
            using var client = new ContractClient(system.Client());
            var file = TestData.Bytes(2 * GatewayHarness.PartSize, seed: 41);
            var sandbox = (await client.CreateSandboxFileAsync(file.Length, "/workspace/audited.bin")).GetProperty("upload_id").GetString()!;
            var box = (await client.CreateBoxFileAsync(file.Length, "audited.bin")).GetProperty("upload_id").GetString()!;
            ids = [sandbox, box];
            for (var n = 1; n <= 2; n++)
            {
                await client.PutPartOkAsync(sandbox, n, file, GatewayHarness.PartSize);
                await client.PutPartOkAsync(box, n, file, GatewayHarness.PartSize);
            }
            await ExpectAsync(await client.CompleteAsync(sandbox), HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(box)).StatusCode);
            await ExpectAsync(await client.Http.GetAsync("/v1/uploads?limit=5"), HttpStatusCode.OK);

            // Redis command spans are drained from StackExchange.Redis's profiler in the background.
            await WaitUntilAsync(() => spans.Spans.Count(s => s.StartsWith(RedisSource + " ", StringComparison.Ordinal)) >= 8);
        }

        var redisSpans = spans.Spans.Where(s => s.StartsWith(RedisSource + " ", StringComparison.Ordinal)).ToList();
        Assert.True(redisSpans.Count >= 8, "the Redis instrumentation recorded no command spans:\n" + string.Join('\n', spans.Spans));
        // The store's Lua scripts (EVAL or EVALSHA: their arguments are what must stay out).
        Assert.True(redisSpans.Any(s => Regex.IsMatch(s, @"db\.(statement|query\.text)=EVAL(SHA)? ")), string.Join("\n", redisSpans));
        // The statement is the command's name and nothing else.
        Assert.All(redisSpans, s => Assert.Matches(@"(^| )db\.(statement|query\.text)=[A-Z]+( |$)", s));

        string[] secrets =
        [
            RedisPassword, GatewayHarness.AcmeKey, GatewayHarness.SandboxKey, GatewayHarness.BoxToken,
            "Bearer ", "password=",
        ];
        foreach (var span in spans.Spans)
        {
            var leak = secrets.FirstOrDefault(secret => span.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"'{leak}' appears in a span: {span}");
        }
        // Key material, in the Redis spans: the keys' prefix and the sessions they hold, the tenant of the scripts' arguments.
        string[] keyMaterial = [keyPrefix, "acme", .. ids];
        foreach (var span in redisSpans)
        {
            var leak = keyMaterial.FirstOrDefault(key => span.Contains(key, StringComparison.Ordinal));
            Assert.True(leak is null, $"'{leak}' appears in a Redis span: {span}");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }
    }
}
