using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api.V1;

/// <summary>
/// Issue 23, finding 5: a v1 id that is not one the gateway makes is a plain 404 on every route that takes one,
/// against Redis (where <c>events</c> once named a shard's stream: WRONGTYPE, a 500 with a stack trace), and what
/// was sent is echoed neither into the problem nor into the logs.
/// </summary>
public sealed class UploadIdTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/v1/uploads/{0}" },
        { "DELETE", "/v1/uploads/{0}" },
        { "PUT", "/v1/uploads/{0}/parts/1" },
        { "GET", "/v1/uploads/{0}/parts" },
        { "POST", "/v1/uploads/{0}/complete" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task An_id_that_names_a_store_key_instead_of_a_session_is_not_found(string method, string route)
    {
        // One event shard and a webhook endpoint (nobody listens): the session created below puts its event in
        // the stream whose key the id "events" would name.
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Store:EventShards"] = "1";
            s["Gateway:Webhooks:Endpoints:nobody:Url"] = "http://127.0.0.1:9/";
            s["Gateway:Webhooks:Endpoints:nobody:Secret"] = Events.WebhookReceiver.Secret;
        });
        using var client = new ContractClient(system.Client());
        await client.CreateSandboxFileAsync(10, "/workspace/events.bin");

        using var response = await client.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), string.Format(route, "events"))
        {
            Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        });

        await ExpectProblemAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task An_id_with_cr_lf_reaches_neither_the_problem_nor_the_log()
    {
        var logs = new FakeLogCollector();
        await using var system = await GatewayHarness.StartAsync(redis, everyApp: b =>
        {
            b.Logging.AddProvider(new FakeLoggerProvider(logs));
            b.Logging.SetMinimumLevel(LogLevel.Trace);
        });
        using var http = system.Client();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, "/v1/uploads/up_x%0d%0aFORGED%20line"));
            var problem = await ExpectProblemAsync(response, 404, "not_found");
            Assert.DoesNotContain("FORGED", problem.GetProperty("detail").GetString());
        }

        // The gateway's own events (the framework's request traces log below Warning, which appsettings.json keeps off).
        var own = logs.GetSnapshot().Where(r => r.Category?.StartsWith("Gateway", StringComparison.Ordinal) == true || r.Level >= LogLevel.Warning).ToList();
        Assert.NotEmpty(own);
        Assert.DoesNotContain(own, r => r.Message.Contains("FORGED", StringComparison.Ordinal));
        Assert.DoesNotContain(own, r => r.Level >= LogLevel.Error);
    }
}
