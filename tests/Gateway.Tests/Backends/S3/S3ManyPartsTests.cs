using System.Net;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;
using static Gateway.Tests.Backends.S3.S3System;

namespace Gateway.Tests.Backends.S3;

/// <summary>
/// Sessions past 1,000 parts, where ListParts pages (tusd#147 stopped at the first page). S3's 5 MiB minimum part
/// would make that 5 GB; this class's RGW takes 4 KiB parts (<see cref="CephRgwSmallParts"/>) and the backend is told
/// so (<c>MinPartSize</c>), which makes it 4.5 MB.
/// </summary>
public sealed class S3ManyPartsTests(RedisServer redis, CephRgwSmallParts rgw) : IClassFixture<RedisServer>, IClassFixture<CephRgwSmallParts>
{
    private const int PartSize = CephRgwSmallParts.MinPartSize;

    [RgwFact]
    public async Task A_session_of_1100_parts_sent_through_two_instances_completes_byte_exact_and_is_published_range_by_range()
    {
        await using var system = await StartAsync(redis, rgw, gateway: s =>
        {
            s[$"Gateway:Backends:{Backend}:PartSize"] = PartSize.ToString();
            s[$"Gateway:Backends:{Backend}:MinPartSize"] = PartSize.ToString();
            // Published in 11 copied ranges, as an object over S3's 5 GiB copy limit is.
            s[$"Gateway:Backends:{Backend}:MaxCopyBytes"] = (100 * PartSize).ToString();
        });
        await using var second = await system.StartGatewayAsync();
        using var a = new ContractClient(system.Client());
        using var b = new ContractClient(second.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(1099 * PartSize + 17, seed: 31);
        var created = await a.CreateOkAsync(Create("many/object.bin", file.Length, sha256: TestData.Sha256Hex(file)));
        var id = created.GetProperty("upload_id").GetString()!;
        Assert.Equal(1100, created.GetProperty("part_count").GetInt32());

        // Highest numbers first, four at a time, alternating instances.
        using var slots = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(1, 1100).Reverse().Select(async n =>
        {
            await slots.WaitAsync();
            try
            {
                var client = n % 2 == 0 ? a : b;
                var part = Slice(file, n, PartSize);
                await client.PutPartOkAsync(id, n, file, PartSize, n % 3 == 0 ? TestData.ContentDigest(part) : null);
            }
            finally
            {
                slots.Release();
            }
        }));
        var done = await ExpectAsync(await b.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(file, await ReadAsync(rgw, "many/object.bin"));
        // A multipart object's ETag ends in its part count: the published copy was made of 11 copied ranges.
        Assert.EndsWith("-11\"", await ETagAsync(rgw, "many/object.bin"));
        Assert.Equal(0, await MultipartUploadsAsync(rgw, id));
    }
}
