using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Expiry;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Limits;

/// <summary>
/// Issue 23, finding 1: what one tenant may hold at once. Each cap answered in each front's own words, naming the
/// limit; released when sessions end (complete, abort, expiry); a session charged at least its metadata and an
/// overhead against the staging quota. A real Redis, the mocks, the gateway on loopback.
/// </summary>
public sealed class TenantCapsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string BoxSessions = "/box/api/2.0/files/upload_sessions";

    [Fact]
    public async Task A_tenant_at_its_live_session_cap_gets_429_too_many_uploads_on_v1_until_one_ends()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:MaxLiveSessions"] = "2");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(10);
        var first = Id(await client.CreateSandboxFileAsync(10, "/workspace/cap1.bin"));
        var second = Id(await client.CreateSandboxFileAsync(10, "/workspace/cap2.bin"));

        var refused = await ExpectProblemAsync(await client.CreateAsync(SandboxFile(10, "/workspace/cap3.bin")), 429, "too_many_uploads");
        Assert.Equal("max_live_sessions", refused.GetProperty("limit").GetString());
        Assert.Equal(2, refused.GetProperty("max").GetInt32());
        Assert.Contains("max_live_sessions", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Nothing already accepted is lost: both sessions still take their parts and complete.
        await client.PutPartOkAsync(first, 1, file, GatewayHarness.PartSize);
        await ExpectAsync(await client.CompleteAsync(first), HttpStatusCode.OK);
        var third = Id(await client.CreateSandboxFileAsync(10, "/workspace/cap3.bin"));
        await ExpectProblemAsync(await client.CreateAsync(SandboxFile(10, "/workspace/cap4.bin")), 429, "too_many_uploads");
        await ExpectAsync(await client.AbortAsync(second), HttpStatusCode.NoContent);
        await client.CreateSandboxFileAsync(10, "/workspace/cap4.bin");
        Assert.NotEqual(first, third);

        // The cap is per tenant: another tenant is not held back by acme's sessions.
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));
        await other.CreateSandboxFileAsync(10, "/workspace/other-cap.bin");
    }

    [Fact]
    public async Task The_deployments_default_cap_applies_to_a_tenant_without_its_own_and_expiry_releases_it()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(redis, clock, gateway: s =>
        {
            s["Gateway:Limits:MaxLiveSessions"] = "1";
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:05:00";
        });
        using var client = new ContractClient(system.Client());
        await client.CreateSandboxFileAsync(10, "/workspace/ttl1.bin");
        await ExpectProblemAsync(await client.CreateAsync(SandboxFile(10, "/workspace/ttl2.bin")), 429, "too_many_uploads");

        clock.Advance(TimeSpan.FromMinutes(6));
        await system.Gateway.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(default);

        await client.CreateSandboxFileAsync(10, "/workspace/ttl2.bin");
    }

    [Fact]
    public async Task A_tus_create_over_the_cap_gets_429_naming_it_and_a_partial_over_its_own_cap_too()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:MaxLiveSessions"] = "1";
            s["Gateway:Tenants:acme:Limits:MaxPartialUploads"] = "2";
        });
        using var client = system.Client();
        var location = await TusHttp.CreatedAsync(client, 10, TusHttp.Metadata(("filename", "cap1.bin")));

        using (var refused = await client.SendAsync(TusHttp.Create(10, TusHttp.Metadata(("filename", "cap2.bin")))))
        {
            var problem = await ExpectProblemAsync(refused, 429, "too_many_uploads");
            Assert.Equal("max_live_sessions", problem.GetProperty("limit").GetString());
        }
        var partials = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var created = await client.SendAsync(Partial(0));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            partials.Add(created.Headers.Location!.OriginalString);
        }
        using (var refused = await client.SendAsync(Partial(0)))
        {
            var problem = await ExpectProblemAsync(refused, 429, "too_many_uploads");
            Assert.Equal("max_partial_uploads", problem.GetProperty("limit").GetString());
        }

        // Terminating gives the places back.
        (await client.SendAsync(TusHttp.Delete(partials[0]))).Dispose();
        (await client.SendAsync(TusHttp.Delete(location))).Dispose();
        using (var again = await client.SendAsync(Partial(0)))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }
        await TusHttp.CreatedAsync(client, 10, TusHttp.Metadata(("filename", "cap2.bin")));
    }

    [Fact]
    public async Task A_Box_session_over_the_cap_gets_Boxs_429_naming_the_limit()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:MaxLiveSessions"] = "1");
        using var client = system.Client();
        using (var first = await client.PostAsync(BoxSessions, Json("""{"folder_id":"0","file_size":2000,"file_name":"cap1.bin"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using var refused = await client.PostAsync(BoxSessions, Json("""{"folder_id":"0","file_size":2000,"file_name":"cap2.bin"}"""));

        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("max_live_sessions", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <remarks>
    /// The review's case: 1-byte tus uploads carrying ~7.9 KB of <c>Upload-Metadata</c> each were charged one byte
    /// apiece. Charged at least their metadata and the overhead, eight of them fill 64 KiB.
    /// </remarks>
    [Fact]
    public async Task A_session_is_charged_at_least_its_metadata_and_an_overhead_against_the_staging_quota()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = (64 * 1024).ToString(CultureInfo.InvariantCulture);
            s["Gateway:Limits:SessionOverheadBytes"] = "4096";
        });
        using var client = system.Client();
        var padding = new string('x', 3000);
        string Metadata(int i) => TusHttp.Metadata(("filename", $"floor{i}.bin"), ("a", padding), ("b", padding));

        var accepted = 0;
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.SendAsync(TusHttp.Create(1, Metadata(i)));
            if (response.StatusCode != HttpStatusCode.Created)
            {
                var problem = await ExpectProblemAsync(response, 422, "quota_exceeded");
                Assert.Contains("staging quota", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                break;
            }
            accepted++;
        }

        // Each is charged ~6,000 bytes of metadata (and its target) plus 4,096: six fit in 64 KiB, the seventh does not.
        Assert.Equal(6, accepted);
    }

    [Fact]
    public async Task An_empty_partial_upload_is_charged_the_overhead_against_the_staging_quota()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = "10000";
            s["Gateway:Limits:SessionOverheadBytes"] = "4096";
        });
        using var client = system.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.SendAsync(Partial(0));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, (HttpStatusCode)422], statuses);
    }

    private static HttpRequestMessage Partial(long length)
    {
        var request = TusHttp.Create(length, null);
        request.Headers.Add("Upload-Concat", "partial");
        return request;
    }

    private static object SandboxFile(long length, string path) =>
        new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path }, content_length = length };

    private static string Id(JsonElement created) => created.GetProperty("upload_id").GetString()!;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
