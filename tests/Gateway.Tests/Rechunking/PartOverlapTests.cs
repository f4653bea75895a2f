using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Rechunking;

/// <summary>
/// A backend that takes a part only whole (Box: its SHA-1 before the body) has the re-chunker read a request's next
/// part while the one before is sent: two parts of one PATCH in flight, never more, and a part that fails meanwhile
/// leaves an offset that only counts what the backend holds.
/// </summary>
public sealed class PartOverlapTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task One_patch_of_several_box_parts_sends_each_while_it_reads_the_next_and_lands_byte_exact()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: TusSettings.Apply);
        // Box holds each part's answer back a moment, long enough to see what the gateway does meanwhile.
        await FaultAsync(system, new { kind = "latency", method = "PUT", path = "/upload_sessions/", latency_ms = 300 });
        using var client = system.Client();
        var file = TestData.Bytes(5 * PartSize + 17, seed: 61);
        var location = await CreatedAsync(client, file.Length, Box($"{Guid.NewGuid():N}.bin"));
        var id = location["/tus/".Length..];

        using var contract = new ContractClient(system.Client());
        var patch = client.SendAsync(Patch(location, 0, file));
        var inFlight = new List<int>();
        while (!patch.IsCompleted)
        {
            inFlight.Add((await contract.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32());
            await Task.Delay(20);
        }

        using var answer = await patch;
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal(file.Length, Offset(answer));
        Assert.Equal(2, inFlight.Max());
        await AssertLandedAsync(system, contract, id, file);
    }

    [Fact]
    public async Task A_part_that_fails_while_the_next_is_sent_leaves_an_offset_that_counts_only_parts_stored_in_a_row_and_the_resumed_upload_lands()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: TusSettings.Apply);
        using var client = system.Client();
        var file = TestData.Bytes(4 * PartSize, seed: 62);
        var location = await CreatedAsync(client, file.Length, Box($"{Guid.NewGuid():N}.bin"));
        var id = location["/tus/".Length..];
        // Box refuses one part once: the first part request it handles, part 1 or part 2, whichever comes first (both
        // are in flight). When it is part 1, part 2 may be stored with part 1 missing.
        await FaultAsync(system, new { kind = "error", method = "PUT", path = "/upload_sessions/", status = 500, count = 1 });

        using (var failed = await client.SendAsync(Patch(location, 0, file)))
        {
            Assert.False(failed.IsSuccessStatusCode);
        }

        using var contract = new ContractClient(system.Client());
        var listed = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/uploads/{id}/parts");
        var received = listed.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("part_number").GetInt32()).ToList();
        var offset = await HeadOffsetAsync(client, location);
        var inARow = Enumerable.Range(1, 4).TakeWhile(received.Contains).Count();
        Assert.InRange(inARow, 0, 1);
        Assert.Equal((long)inARow * PartSize, offset);
        using (var resumed = await client.SendAsync(Patch(location, offset, file, (int)offset)))
        {
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
            Assert.Equal(file.Length, Offset(resumed));
        }
        await AssertLandedAsync(system, contract, id, file);
    }

    [Fact]
    public async Task A_box_session_that_takes_one_part_at_a_time_gets_its_parts_one_after_the_other()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Backends:box:MaxConcurrency"] = "1";
        });
        using var client = system.Client();
        var file = TestData.Bytes(3 * PartSize + 5, seed: 63);
        var location = await CreatedAsync(client, file.Length, Box($"{Guid.NewGuid():N}.bin"));

        using (var answer = await client.SendAsync(Patch(location, 0, file)))
        {
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            Assert.Equal(file.Length, Offset(answer));
        }
        using var contract = new ContractClient(system.Client());
        await AssertLandedAsync(system, contract, location["/tus/".Length..], file);
    }

    private static string Box(string name) => Metadata(("backend", "box"), ("folder_id", "0"), ("filename", name));

    private static async Task FaultAsync(GatewayHarness system, object rule)
    {
        using var box = system.BoxClient();
        using var fault = await box.PostAsJsonAsync("/_mock/faults", rule);
        fault.EnsureSuccessStatusCode();
    }

    private static async Task AssertLandedAsync(GatewayHarness system, ContractClient contract, string id, byte[] file)
    {
        var settled = await contract.SettledAsync(id);
        Assert.Equal("completed", settled.GetProperty("status").GetString());
        var fileId = settled.GetProperty("result").GetProperty("file_id").GetString();
        using var box = system.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{fileId}/content"));
    }
}
