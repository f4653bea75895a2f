using System.Net;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api.V1;

/// <summary>Whole uploads through the gateway to both mocks, checked byte for byte where they landed.</summary>
public sealed class UploadEndToEndTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task A_file_sent_to_the_sandbox_in_parallel_out_of_order_parts_lands_byte_exact()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(5 * PartSize + 12345, seed: 7);

        var created = await client.CreateSandboxFileAsync(file.Length, "/workspace/e2e/data.bin");
        var id = created.GetProperty("upload_id").GetString()!;
        Assert.StartsWith("up_", id);
        Assert.Equal("created", created.GetProperty("status").GetString());
        Assert.Equal(PartSize, created.GetProperty("part_size").GetInt64());
        Assert.Equal(6, created.GetProperty("part_count").GetInt32());
        Assert.Equal("1-6", created.GetProperty("missing_parts").GetString());

        await Task.WhenAll(new[] { 6, 2, 4, 1, 5, 3 }.Select(n => client.PutPartOkAsync(id, n, file, PartSize)));

        var staged = await client.GetOkAsync(id);
        Assert.Equal("staged", staged.GetProperty("status").GetString());
        Assert.Equal(file.Length, staged.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(JsonValueKindNull, staged.GetProperty("next_part").ValueKind);
        Assert.Equal("", staged.GetProperty("missing_parts").GetString());

        using var complete = await client.CompleteAsync(id, new { checksum = new { sha256 = TestData.Sha256Hex(file) } });
        var completed = await ExpectAsync(complete, HttpStatusCode.OK);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("/workspace/e2e/data.bin", completed.GetProperty("result").GetProperty("path").GetString());
        Assert.Equal(file.Length, completed.GetProperty("result").GetProperty("size").GetInt64());

        using var sandbox = system.SandboxClient();
        var landed = await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/e2e/data.bin");
        Assert.Equal(TestData.Sha256Hex(file), TestData.Sha256Hex(landed));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_sent_to_box_lands_byte_exact_whether_or_not_parts_carry_their_sha1(bool clientSendsSha1)
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(3 * PartSize + 999, seed: 11);

        var created = await client.CreateBoxFileAsync(file.Length, $"report-{clientSendsSha1}.bin");
        var id = created.GetProperty("upload_id").GetString()!;
        Assert.Equal("box", created.GetProperty("backend_type").GetString());
        Assert.Equal("sha1", created.GetProperty("checksums_required").GetProperty("complete")[0].GetString());

        await Task.WhenAll(Enumerable.Range(1, 4).Reverse().Select(n =>
        {
            var part = Slice(file, n, PartSize);
            return client.PutPartOkAsync(id, n, file, PartSize, clientSendsSha1 ? TestData.ContentDigest(part, sha1: true) : null);
        }));

        using var complete = await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } });
        var completed = await ExpectAsync(complete, HttpStatusCode.OK);
        var result = completed.GetProperty("result");
        Assert.Equal(TestData.Sha1Hex(file), result.GetProperty("sha1").GetString());

        using var box = system.BoxClient();
        var landed = await box.GetByteArrayAsync($"/2.0/files/{result.GetProperty("file_id").GetString()}/content");
        Assert.Equal(TestData.Sha256Hex(file), TestData.Sha256Hex(landed));
    }

    [Fact]
    public async Task The_part_answer_reports_offset_size_digests_and_progress()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize + 10);
        var id = (await client.CreateBoxFileAsync(file.Length, "answer.bin")).GetProperty("upload_id").GetString()!;

        var bytes = Slice(file, 2, PartSize);
        // A Box part is known by its SHA-1; its answer carries a SHA-256 when the client sent one (DigestPlacementTests).
        var part = await client.PutPartOkAsync(id, 2, file, PartSize, TestData.ContentDigest(bytes, sha256: true, sha1: false));

        Assert.Equal(2, part.GetProperty("part_number").GetInt32());
        Assert.Equal(PartSize, part.GetProperty("offset").GetInt64());
        Assert.Equal(PartSize, part.GetProperty("size").GetInt64());
        Assert.Equal(TestData.Sha256Hex(bytes), part.GetProperty("sha256").GetString());
        Assert.Equal(TestData.Sha1Hex(bytes), part.GetProperty("sha1").GetString());
        Assert.Equal(PartSize, part.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(1, part.GetProperty("parts_received").GetInt32());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
