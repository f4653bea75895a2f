using Microsoft.Extensions.Time.Testing;
using System.Net;
using Gateway.Expiry;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Limits;

/// <summary>The contract's limits (README.md): each enforced with its code, reported in the session's <c>limits</c>.</summary>
public sealed class LimitsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task The_sessions_limits_report_the_tenants_configuration()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:Limits:MaxUploadBytes"] = "123456789";
            s["Gateway:Tenants:acme:Limits:MaxPartBytes"] = (16 * MiB).ToString();
            s["Gateway:Tenants:acme:Limits:MaxConcurrency"] = "3";
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = "987654321";
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "02:00:00";
        });
        using var client = new ContractClient(system.Client());

        var created = await client.CreateSandboxFileAsync(10, "/workspace/limits.bin");

        var limits = created.GetProperty("limits");
        Assert.Equal(123456789, limits.GetProperty("max_upload_bytes").GetInt64());
        Assert.Equal(16 * MiB, limits.GetProperty("max_part_bytes").GetInt64());
        Assert.Equal(3, limits.GetProperty("max_concurrency").GetInt32());
        Assert.Equal(987654321, limits.GetProperty("staging_quota_bytes").GetInt64());
        Assert.Equal(3, created.GetProperty("max_concurrency").GetInt32());
        var ttl = created.GetProperty("expires_at").GetDateTime() - created.GetProperty("created_at").GetDateTime();
        Assert.Equal(TimeSpan.FromHours(2), ttl);
    }

    [Fact]
    public async Task A_tenants_staging_quota_is_reserved_at_create_and_released_when_sessions_end()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = (5 * MiB).ToString());
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * MiB);
        var first = (await client.CreateSandboxFileAsync(2 * MiB, "/workspace/q1.bin")).GetProperty("upload_id").GetString()!;
        var second = (await client.CreateSandboxFileAsync(2 * MiB, "/workspace/q2.bin")).GetProperty("upload_id").GetString()!;

        var refused = await ExpectProblemAsync(await client.CreateAsync(SandboxFile(2 * MiB, "/workspace/q3.bin")), 422, "quota_exceeded");
        Assert.Contains("staging quota", refused.GetProperty("detail").GetString());

        // Abort releases, and so does complete.
        await client.AbortAsync(first);
        var third = (await client.CreateSandboxFileAsync(2 * MiB, "/workspace/q3.bin")).GetProperty("upload_id").GetString()!;
        await ExpectProblemAsync(await client.CreateAsync(SandboxFile(2 * MiB, "/workspace/q4.bin")), 422, "quota_exceeded");
        await client.PutPartOkAsync(second, 1, file, GatewayHarness.PartSize);
        await client.PutPartOkAsync(second, 2, file, GatewayHarness.PartSize);
        await ExpectAsync(await client.CompleteAsync(second), HttpStatusCode.OK);
        await client.CreateSandboxFileAsync(2 * MiB, "/workspace/q4.bin");

        // Other tenants have their own quota.
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));
        await other.CreateSandboxFileAsync(2 * MiB, "/workspace/other.bin");
        Assert.NotEqual(first, third);
    }

    [Fact]
    public async Task A_sandboxs_staging_quota_spans_every_tenant_writing_to_it()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Backends:sandbox:SandboxStagingQuotaBytes"] = (3 * MiB).ToString());
        using var acme = new ContractClient(system.Client());
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));

        var mine = (await acme.CreateSandboxFileAsync(2 * MiB, "/workspace/a.bin")).GetProperty("upload_id").GetString()!;
        await ExpectProblemAsync(await other.CreateAsync(SandboxFile(2 * MiB, "/workspace/b.bin")), 422, "quota_exceeded");
        await other.CreateOkAsync(new { backend = "box", target = new { folder_id = "0", file_name = "b.bin" }, content_length = 2 * MiB });

        await acme.AbortAsync(mine);
        await other.CreateSandboxFileAsync(2 * MiB, "/workspace/b.bin");
    }

    [Fact]
    public async Task Expiry_releases_the_staging_quota_of_what_it_ends()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(redis, clock, gateway: s =>
        {
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = (3 * MiB).ToString();
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:05:00";
        });
        using var client = new ContractClient(system.Client());
        await client.CreateSandboxFileAsync(2 * MiB, "/workspace/e1.bin");
        await ExpectProblemAsync(await client.CreateAsync(SandboxFile(2 * MiB, "/workspace/e2.bin")), 422, "quota_exceeded");

        clock.Advance(TimeSpan.FromMinutes(6));
        await system.Gateway.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(default);

        await client.CreateSandboxFileAsync(2 * MiB, "/workspace/e2.bin");
    }

    [Fact]
    public async Task A_tenant_over_its_request_rate_gets_429_rate_limited_with_retry_after()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:Limits:RequestsPerSecond"] = "1";
            s["Gateway:Tenants:acme:Limits:RequestBurst"] = "3";
        });
        using var client = new ContractClient(system.Client());
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await client.Http.GetAsync("/v1/uploads");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        await ExpectProblemAsync(limited, 429, "rate_limited");
        Assert.NotNull(limited.Headers.RetryAfter);
        await ExpectAsync(await other.Http.GetAsync("/v1/uploads"), HttpStatusCode.OK);
        await ExpectAsync(await client.Http.GetAsync("/healthz"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_chunked_part_over_max_part_bytes_is_cut_off_as_too_large()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:MaxPartBytes"] = (2 * MiB).ToString());
        using var client = new ContractClient(system.Client());
        var id = (await client.CreateSandboxFileAsync(3 * MiB, "/workspace/chunky.bin")).GetProperty("upload_id").GetString()!;

        using var response = await client.PutPartAsync(id, 1, TestData.Bytes(3 * MiB), chunked: true);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"got {(int)response.StatusCode}");
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
    }

    [Fact]
    public async Task A_tenant_may_only_write_to_its_allowed_targets()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Tenants:acme:Targets:SandboxIds:0"] = GatewayHarness.SandboxId;
            s["Gateway:Tenants:acme:Targets:PathPrefixes:0"] = "/workspace/in";
            s["Gateway:Tenants:acme:Targets:BoxFolderIds:0"] = "0";
        });
        using var client = new ContractClient(system.Client());

        await client.CreateSandboxFileAsync(10, "/workspace/in/ok.bin");
        await client.CreateBoxFileAsync(10, "ok.bin");
        await ExpectProblemAsync(await client.CreateAsync(SandboxFile(10, "/workspace/inbox/no.bin")), 422, "invalid_target");
        await ExpectProblemAsync(await client.CreateAsync(SandboxFile(10, "/workspace/in/../out.bin")), 422, "invalid_target");
        await ExpectProblemAsync(await client.CreateAsync(new { backend = "sandbox", target = new { sandbox_id = "sb_other001", path = "/workspace/in/x" }, content_length = 10 }), 422, "invalid_target");
        await ExpectProblemAsync(await client.CreateAsync(new { backend = "box", target = new { folder_id = "12345", file_name = "x.bin" }, content_length = 10 }), 422, "invalid_target");
        await ExpectProblemAsync(await client.CreateAsync(new { backend = "box", target = new { file_id = "1" }, content_length = 10 }), 422, "invalid_target");
    }

    [Fact]
    public async Task A_tenant_sees_and_uses_only_its_allowed_backends()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s.Remove("Gateway:Tenants:other:Backends:1"));
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));

        var backends = await ExpectAsync(await other.Http.GetAsync("/v1/backends"), HttpStatusCode.OK);

        Assert.Equal(["sandbox"], backends.GetProperty("backends").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        await ExpectProblemAsync(await other.CreateAsync(new { backend = "box", target = new { folder_id = "0", file_name = "x" }, content_length = 10 }), 422, "unknown_backend");
    }

    private static object SandboxFile(long length, string path) =>
        new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path }, content_length = length };
}
