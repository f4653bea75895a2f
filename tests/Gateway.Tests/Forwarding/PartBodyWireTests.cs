using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Forwarding;

/// <summary>
/// A part's body as clients really send it, over a real socket to the gateway and on to the sandbox mock: odd
/// write sizes flushed one by one (what any change to how the part is copied must survive; docs/BENCHMARKS.md,
/// issue 27's v1 round), <c>Expect: 100-continue</c>, a client gone mid-part, a part over the tenant's limit.
/// What lands at the backend is compared byte for byte.
/// </summary>
public sealed class PartBodyWireTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    /// <summary>Write sizes no buffer is a multiple of: single bytes, a page less one, a block and one more.</summary>
    private static readonly int[] OddWrites = [1, 7, 8191, 65537, 3, 131071, 4093];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Parts_written_in_odd_sizes_land_byte_exact(bool chunked)
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize + 4099, seed: 71);
        var path = $"/workspace/odd-{chunked}.bin";
        var id = (await client.CreateSandboxFileAsync(file.Length, path)).GetProperty("upload_id").GetString()!;

        foreach (var n in new[] { 3, 1, 2 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/uploads/{id}/parts/{n}")
            {
                Content = new OddWritesContent(Slice(file, n, PartSize), chunked),
            };
            using var response = await client.Http.SendAsync(request);
            await ExpectAsync(response, HttpStatusCode.OK);
        }

        await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha256 = TestData.Sha256Hex(file) } }), HttpStatusCode.OK);
        Assert.Equal(file, await LandedAsync(system, path));
    }

    [Fact]
    public async Task A_part_sent_after_100_continue_lands_byte_exact()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize + 5, seed: 72);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/continue.bin")).GetProperty("upload_id").GetString()!;

        foreach (var n in new[] { 1, 2 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/uploads/{id}/parts/{n}")
            {
                Content = new OddWritesContent(Slice(file, n, PartSize), chunked: false),
            };
            request.Headers.ExpectContinue = true;
            using var response = await client.Http.SendAsync(request);
            await ExpectAsync(response, HttpStatusCode.OK);
        }

        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await LandedAsync(system, "/workspace/continue.bin"));
    }

    [Fact]
    public async Task A_client_gone_mid_part_leaves_nothing_counted_and_the_part_can_be_sent_again()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 73);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/gone.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 2, file, PartSize);

        using (var tcp = new TcpClient())
        {
            var gateway = system.Gateway.BaseAddress;
            await tcp.ConnectAsync(gateway.Host, gateway.Port);
            var stream = tcp.GetStream();
            var head = $"PUT /v1/uploads/{id}/parts/1 HTTP/1.1\r\nHost: {gateway.Authority}\r\nAuthorization: Bearer {GatewayHarness.AcmeKey}\r\n"
                + $"Content-Type: application/octet-stream\r\nContent-Length: {PartSize}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(file.AsMemory(0, PartSize / 2 + 1));
            await stream.FlushAsync();
            await UntilAsync(client, id, inFlight: 1);
            // A reset, as a killed client leaves it: the gateway's read fails mid-part.
            tcp.Client.LingerState = new LingerOption(true, 0);
        }
        await UntilAsync(client, id, inFlight: 0);

        var status = await client.GetOkAsync(id);
        Assert.Equal(PartSize, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(1, status.GetProperty("parts_received").GetInt32());
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await LandedAsync(system, "/workspace/gone.bin"));
    }

    [Fact]
    public async Task A_part_over_the_limit_is_a_413_and_the_parts_accepted_before_it_stay()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:MaxPartBytes"] = PartSize.ToString());
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 74);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/over.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/uploads/{id}/parts/2")
        {
            Content = new OddWritesContent(TestData.Bytes(PartSize + 1, seed: 75), chunked: false),
        };
        request.Headers.ExpectContinue = true;
        using var response = await client.Http.SendAsync(request);

        await ExpectProblemAsync(response, 413, "upload_too_large");
        var status = await client.GetOkAsync(id);
        Assert.Equal((PartSize, 1, 0), (status.GetProperty("accepted_bytes").GetInt64(), status.GetProperty("parts_received").GetInt32(),
            status.GetProperty("parts_in_flight").GetInt32()));
        await client.PutPartOkAsync(id, 2, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await LandedAsync(system, "/workspace/over.bin"));
    }

    private static async Task<byte[]> LandedAsync(GatewayHarness system, string path)
    {
        using var sandbox = system.SandboxClient();
        return await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}");
    }

    /// <summary>Waits for the upload's parts in flight to reach <paramref name="inFlight"/> (the gateway's side of the socket, as it reports it).</summary>
    private static async Task UntilAsync(ContractClient client, string id, int inFlight)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await client.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() != inFlight)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>A body written in <see cref="OddWrites"/> sizes, each write flushed to the socket before the next.</summary>
    private sealed class OddWritesContent(byte[] bytes, bool chunked) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int at = 0, i = 0; at < bytes.Length; i++)
            {
                var count = Math.Min(OddWrites[i % OddWrites.Length], bytes.Length - at);
                await stream.WriteAsync(bytes.AsMemory(at, count));
                await stream.FlushAsync();
                at += count;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return !chunked;
        }
    }
}
