using System.Net;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api.V1;

/// <summary>The contract, upload a part (README.md): size rule, digests, retries, chunked bodies.</summary>
public sealed class PartRuleTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    private static async Task<(GatewayHarness System, ContractClient Client, string Id, byte[] File)> StartAsync(RedisServer redis, string backend = "sandbox")
    {
        var system = await GatewayHarness.StartAsync(redis);
        var client = new ContractClient(system.Client());
        var file = TestData.Bytes(3 * PartSize + 100, seed: 3);
        var created = backend == "sandbox"
            ? await client.CreateSandboxFileAsync(file.Length, "/workspace/rules-" + Guid.NewGuid().ToString("N") + ".bin")
            : await client.CreateBoxFileAsync(file.Length, "rules-" + Guid.NewGuid().ToString("N") + ".bin");
        return (system, client, created.GetProperty("upload_id").GetString()!, file);
    }

    private static async Task<long> AcceptedAsync(ContractClient client, string id) =>
        (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64();

    [Theory]
    [InlineData(1, PartSize - 1)]
    [InlineData(1, PartSize + 1)]
    [InlineData(4, PartSize)]
    public async Task A_part_whose_content_length_breaks_the_rule_is_refused_before_any_byte_moves(int n, int length)
    {
        var (system, client, id, _) = await StartAsync(redis);
        await using var _ = system;

        using var response = await client.PutPartAsync(id, n, TestData.Bytes(length));

        var problem = await ExpectProblemAsync(response, 400, "part_size_mismatch");
        Assert.Equal(id, problem.GetProperty("upload_id").GetString());
        Assert.Equal(0, await AcceptedAsync(client, id));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999999")]
    public async Task A_part_number_outside_the_upload_is_an_invalid_request(string n)
    {
        var (system, client, id, _) = await StartAsync(redis);
        await using var _ = system;

        using var response = await client.Http.PutAsync($"/v1/uploads/{id}/parts/{n}", new ByteArrayContent(TestData.Bytes(10)));

        await ExpectProblemAsync(response, 400, "invalid_request");
    }

    [Fact]
    public async Task A_chunked_part_of_the_right_length_is_accepted()
    {
        var (system, client, id, file) = await StartAsync(redis);
        await using var _ = system;

        using var response = await client.PutPartAsync(id, 1, Slice(file, 1, PartSize), chunked: true);

        await ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal(PartSize, await AcceptedAsync(client, id));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(+1)]
    public async Task A_chunked_part_that_runs_short_or_long_is_refused_and_not_counted(int delta)
    {
        var (system, client, id, _) = await StartAsync(redis);
        await using var _ = system;

        using var response = await client.PutPartAsync(id, 1, TestData.Bytes(PartSize + delta), chunked: true);

        await ExpectProblemAsync(response, 400, "part_size_mismatch");
        Assert.Equal(0, await AcceptedAsync(client, id));
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32());
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task A_part_that_does_not_match_its_content_digest_is_refused_and_not_counted(string backend)
    {
        var (system, client, id, file) = await StartAsync(redis, backend);
        await using var _ = system;
        var part = Slice(file, 1, PartSize);

        using var response = await client.PutPartAsync(id, 1, part, TestData.ContentDigest(TestData.Bytes(PartSize, seed: 99)));

        await ExpectProblemAsync(response, 400, "checksum_mismatch");
        Assert.Equal(0, await AcceptedAsync(client, id));
        // The part never completed at the backend either: sending the right bytes now works.
        await client.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(part));
    }

    [Fact]
    public async Task A_wrong_sha1_in_content_digest_is_caught_for_box()
    {
        var (system, client, id, file) = await StartAsync(redis, "box");
        await using var _ = system;

        using var response = await client.PutPartAsync(id, 1, Slice(file, 1, PartSize), TestData.ContentDigest(TestData.Bytes(8), sha256: false, sha1: true));

        await ExpectProblemAsync(response, 400, "checksum_mismatch");
        Assert.Equal(0, await AcceptedAsync(client, id));
    }

    [Theory]
    [InlineData("sha-256=abc")]
    [InlineData("sha-256=:not base64!:")]
    [InlineData("sha-256=:AAAA:")]
    [InlineData("SHA-256=:AAAA:")]
    [InlineData("")]
    public async Task A_malformed_content_digest_is_an_invalid_request(string header)
    {
        var (system, client, id, file) = await StartAsync(redis);
        await using var _ = system;

        using var response = await client.PutPartAsync(id, 1, Slice(file, 1, PartSize), header);

        await ExpectProblemAsync(response, 400, "invalid_request");
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task Resending_a_received_part_with_the_same_bytes_is_accepted_and_counted_once(string backend)
    {
        var (system, client, id, file) = await StartAsync(redis, backend);
        await using var _ = system;
        await client.PutPartOkAsync(id, 2, file, PartSize);

        var again = await client.PutPartOkAsync(id, 2, file, PartSize);

        Assert.Equal(PartSize, again.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(1, again.GetProperty("parts_received").GetInt32());
        Assert.Equal(PartSize, await AcceptedAsync(client, id));
    }

    [Fact]
    public async Task Resending_a_received_part_with_other_bytes_is_a_part_conflict()
    {
        var (system, client, id, file) = await StartAsync(redis);
        await using var _ = system;
        await client.PutPartOkAsync(id, 1, file, PartSize);

        using var response = await client.PutPartAsync(id, 1, TestData.Bytes(PartSize, seed: 42));

        await ExpectProblemAsync(response, 409, "part_conflict");
        Assert.Equal(PartSize, await AcceptedAsync(client, id));
    }

    [Fact]
    public async Task A_part_declared_larger_than_max_part_bytes_is_too_large()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:MaxPartBytes"] = (2 * PartSize).ToString());
        using var client = new ContractClient(system.Client());
        var id = (await client.CreateSandboxFileAsync(3 * PartSize, "/workspace/big.bin")).GetProperty("upload_id").GetString()!;

        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/uploads/{id}/parts/1") { Content = new ByteArrayContent(TestData.Bytes(2 * PartSize + 1)) };
        // As curl does for large bodies, so the refusal from the headers is read before any body is sent.
        request.Headers.ExpectContinue = true;
        using var response = await client.Http.SendAsync(request);

        await ExpectProblemAsync(response, 413, "upload_too_large");
    }
}
