using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Auth;
using Gateway.Tests.Support;
using TestSupport;
using Xunit.Abstractions;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Hostile;

/// <summary>One system for the whole catalogue, with live uploads for the cases to aim at.</summary>
public sealed class HostileFixture(IMessageSink output) : IAsyncLifetime
{
    public RedisServer Redis { get; } = new(output);

    public GatewayHarness System { get; private set; } = null!;

    public HostileTargets Targets { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        System = await GatewayHarness.StartAsync(Redis, gateway: s =>
        {
            Tokens.Configure(s);
            s["Gateway:Backends:box:MinUploadBytes"] = "1000";
            s["Gateway:Tenants:acme:Limits:RequestsPerSecond"] = "100000";
            s["Gateway:Tenants:acme:Limits:RequestBurst"] = "100000";
            // The catalogue sends many refused credentials from loopback, as acme's own requests come from there too.
            s["Gateway:Limits:FailedAuthentication:Burst"] = "100000";
        });
        using var acme = new ContractClient(System.Client());
        using var other = new ContractClient(System.Client(GatewayHarness.OtherKey));
        var length = 2 * GatewayHarness.PartSize + 100;
        Targets = new HostileTargets(
            (await acme.CreateSandboxFileAsync(length, "/workspace/target.bin")).GetProperty("upload_id").GetString()!,
            (await acme.CreateBoxFileAsync(length, "target.bin")).GetProperty("upload_id").GetString()!,
            (await other.CreateSandboxFileAsync(length, "/workspace/theirs.bin")).GetProperty("upload_id").GetString()!,
            GatewayHarness.PartSize);
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>
/// Issue 5, hostile input: every malformed or hostile request gets the right 4xx problem+json, never a 500
/// or a crash, and an upload in progress meanwhile is unaffected.
/// </summary>
public sealed class HostileInputTests(HostileFixture fixture) : IClassFixture<HostileFixture>
{
    public static TheoryData<string> Cases => [.. HostileCases.All.Select(c => c.Name)];

    [Fact]
    public void The_catalogue_holds_at_least_200_distinct_hostile_requests()
    {
        Assert.True(HostileCases.All.Count >= 200, $"only {HostileCases.All.Count} cases");
        Assert.Equal(HostileCases.All.Count, HostileCases.All.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_request_gets_its_precise_4xx_problem(string name)
    {
        var hostile = HostileCases.Named(name);
        using var http = fixture.System.Client();

        using var response = await http.SendAsync(hostile.Build(fixture.Targets));

        await ExpectProblemAsync(response, hostile.Status, hostile.Code);
    }

    [Theory]
    [InlineData("Content-Length: abc")]
    [InlineData("Content-Length: -1")]
    [InlineData("Content-Length: 10\r\nContent-Length: 11")]
    [InlineData("Content-Length: 10\r\nTransfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: gzip")]
    [InlineData("X-Big: {big}")]
    [InlineData("X-Nul: a\0b")]
    [InlineData("Content-Length: 10", "/v1/uploads/up_%00/parts/1")]
    [InlineData("Content-Length: 10", "/v1/uploads/../../etc/passwd")]
    [InlineData("Content-Length: 10", "v1/uploads")]
    public async Task Broken_framing_is_refused_by_the_server_with_a_4xx(string header, string? path = null)
    {
        // Kestrel refuses these before the application runs, so the answer is its own bare 4xx, not problem+json.
        using var raw = new RawHttp(fixture.System.Gateway.BaseAddress);
        await raw.ConnectAsync();

        await raw.SendAsync(RawHttp.Head("PUT", path ?? $"/v1/uploads/{fixture.Targets.SandboxUpload}/parts/1", GatewayHarness.AcmeKey,
            header.Replace("{big}", new string('x', 70_000), StringComparison.Ordinal)) + "0123456789");
        var status = await raw.ReadStatusAsync(TimeSpan.FromSeconds(10));

        Assert.True(status is >= 400 and < 500, $"got {status?.ToString() ?? "no answer"}");
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("/v1/uploads", 1, 400)]
    [InlineData("/box/api/2.0/files/upload_sessions", 5, 413)]
    public async Task An_oversized_json_body_is_read_to_its_end_so_the_client_gets_the_refusal_and_keeps_its_connection(string path, int mebibytes, int status)
    {
        // Were the connection closed with the body unread, the client's socket could be reset before it read the
        // answer (HttpClient then throws): the refusal is only reliable if the server takes the body it refuses.
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancel) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = fixture.System.Gateway.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayHarness.AcmeKey);
        var body = "{\"backend\":\"" + new string('x', mebibytes * 1024 * 1024) + "\"}";

        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(status, (int)response.StatusCode);
        }

        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task A_body_that_stops_early_counts_nothing_and_frees_its_part()
    {
        using var client = new ContractClient(fixture.System.Client());
        var id = (await client.CreateSandboxFileAsync(GatewayHarness.PartSize, "/workspace/stopped.bin")).GetProperty("upload_id").GetString()!;
        using (var raw = new RawHttp(fixture.System.Gateway.BaseAddress))
        {
            await raw.ConnectAsync();
            await raw.SendAsync(RawHttp.Head("PUT", $"/v1/uploads/{id}/parts/1", GatewayHarness.AcmeKey, $"Content-Length: {GatewayHarness.PartSize}"));
            await raw.SendAsync(new byte[GatewayHarness.PartSize / 2]);
            await WaitUntilAsync(async () => (await client.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 1);
            raw.Close();
        }

        await WaitUntilAsync(async () => (await client.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 0);
        var status = await client.GetOkAsync(id);
        Assert.Equal(0, status.GetProperty("parts_in_flight").GetInt32());
        Assert.Equal(0, status.GetProperty("accepted_bytes").GetInt64());
        await client.PutPartOkAsync(id, 1, TestData.Bytes(GatewayHarness.PartSize), GatewayHarness.PartSize);
    }

    [Fact]
    public async Task A_body_slower_than_kestrels_minimum_rate_is_cut_off_and_frees_its_part()
    {
        using var client = new ContractClient(fixture.System.Client());
        var id = (await client.CreateSandboxFileAsync(GatewayHarness.PartSize, "/workspace/slow.bin")).GetProperty("upload_id").GetString()!;
        using var raw = new RawHttp(fixture.System.Gateway.BaseAddress);
        await raw.ConnectAsync();
        await raw.SendAsync(RawHttp.Head("PUT", $"/v1/uploads/{id}/parts/1", GatewayHarness.AcmeKey, $"Content-Length: {GatewayHarness.PartSize}"));

        // Kestrel's default minimum is 240 bytes/s after a 5 s grace period; send 10 bytes/s.
        var answered = raw.ReadStatusAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 300 && !answered.IsCompleted; i++)
        {
            try
            {
                await raw.SendAsync(new byte[1]);
            }
            catch (IOException)
            {
                break;
            }
            await Task.Delay(100);
        }
        var status = await answered;

        Assert.True(status is null or 408, $"got {status}");
        await WaitUntilAsync(async () => (await client.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 0);
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
    }

    [Fact]
    public async Task Hostile_requests_leave_an_upload_in_progress_unaffected()
    {
        using var client = new ContractClient(fixture.System.Client());
        var file = TestData.Bytes(6 * GatewayHarness.PartSize + 77, seed: 77);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/steady.bin")).GetProperty("upload_id").GetString()!;

        var upload = Task.Run(async () =>
        {
            foreach (var n in Enumerable.Range(1, 7))
            {
                await client.PutPartOkAsync(id, n, file, GatewayHarness.PartSize);
            }
        });
        var statuses = await Task.WhenAll(HostileCases.All.Select(async hostile =>
        {
            using var http = fixture.System.Client();
            using var response = await http.SendAsync(hostile.Build(fixture.Targets));
            return (hostile.Name, Status: (int)response.StatusCode);
        }));
        await upload;

        Assert.DoesNotContain(statuses, s => s.Status >= 500);
        var done = await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file.Length, done.GetProperty("accepted_bytes").GetInt64());
        using var sandbox = fixture.System.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/steady.bin"));
        await AssertHealthyAsync();
    }

    private async Task AssertHealthyAsync()
    {
        using var http = fixture.System.Gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 1000 && !await condition(); i++)
        {
            await Task.Delay(20);
        }
    }
}
