using System.Net;
using System.Text.Json;
using Gateway.Tests.Support;
using static Gateway.Tests.Api.Tus.TusHttp;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api;

/// <summary>
/// The gateway's own disks full: the part spool (a Box part held whole for its SHA-1) and the staging directory
/// (a tus tail), each a real tmpfs too small for the request. The client gets a retryable <c>503 storage_full</c> in
/// its front's terms, nothing is counted that is not on disk, and the same upload goes on once there is room.
/// </summary>
public sealed class DiskFullTests
{
    private const int PartSize = GatewayHarness.PartSize;

    [SmallDiskFact]
    public async Task A_box_part_that_finds_the_spool_full_is_refused_503_storage_full_and_goes_through_once_there_is_room()
    {
        using var disk = SmallDisk.Mount(256 * 1024);
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            s["Gateway:Forwarding:SpoolDirectory"] = disk.Path;
            s["Gateway:Forwarding:SpoolMemoryBytes"] = "0";
        });
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize, seed: 91);
        var id = (await client.CreateBoxFileAsync(file.Length, "full.bin")).GetProperty("upload_id").GetString()!;

        using (var refused = await client.PutPartAsync(id, 1, file))
        {
            await ExpectProblemAsync(refused, 503, "storage_full");
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        Assert.Empty(Directory.GetFiles(disk.Path));
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("parts_received").GetInt32());

        disk.Grow(4L * PartSize);
        var accepted = await client.PutPartOkAsync(id, 1, file, PartSize);
        Assert.Equal(1, accepted.GetProperty("parts_received").GetInt32());
        Assert.Empty(Directory.GetFiles(disk.Path));
    }

    [SmallDiskFact]
    public async Task A_tus_patch_that_finds_the_staging_directory_full_is_refused_503_storage_full_and_resumes_from_head_once_there_is_room()
    {
        using var disk = SmallDisk.Mount(256 * 1024);
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            Tus.TusSettings.Apply(s);
            s["Gateway:Rechunking:StagingDirectory"] = disk.Path;
        });
        using var http = system.Client();
        var file = TestData.Bytes(2 * PartSize + 1000, seed: 92);
        var location = await CreatedAsync(http, file.Length, Metadata(("filename", "full.bin")));

        // Part 1 goes through; the 600 KiB after it must wait in the tail, which has room for less.
        using (var refused = await http.SendAsync(Patch(location, 0, file, 0, PartSize + 600 * 1024)))
        {
            await ExpectProblemAsync(refused, 503, "storage_full");
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        var offset = await HeadOffsetAsync(http, location);
        Assert.InRange(offset, PartSize, PartSize + 256 * 1024);

        disk.Grow(8L * PartSize);
        using (var resumed = await http.SendAsync(Patch(location, offset, file, (int)offset)))
        {
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
            Assert.Equal(file.Length, Offset(resumed));
        }
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/tus/full.bin"));
    }
}
