using System.Net;
using Gateway.Rechunking;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>
/// A tus client is done once its last PATCH answers the full offset; a commit still running then (Box assembling) is
/// the gateway's to finish. When the instance that ran it stops first, the staging sweep of another one finishes it.
/// </summary>
public sealed class TusLeftCommitTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_box_commit_left_completing_by_a_stopped_instance_is_finished_by_the_staging_sweep_of_another()
    {
        await using var system = await GatewayHarness.StartAsync(redis,
            gateway: s =>
            {
                TusSettings.Apply(s);
                // The PATCH answers as soon as Box has said 202 once; the timer-driven sweep stays out of the way.
                s["Gateway:Tus:CompletionWait"] = "00:00:00";
                s["Gateway:Rechunking:SweepInterval"] = "1.00:00:00";
            },
            box: s => s["MockBox:CommitAcceptedResponses"] = "3");
        var leaving = await system.StartGatewayAsync();
        var file = TestData.Bytes(GatewayHarness.PartSize + 99, seed: 41);
        string location;
        using (var viaLeaving = leaving.CreateClient(GatewayHarness.AcmeKey))
        using (var created = await viaLeaving.SendAsync(Create(file.Length, Metadata(("backend", "box"), ("folder_id", "0"), ("filename", $"{Guid.NewGuid():N}.bin")), file)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(file.Length, Offset(created));
            location = created.Headers.Location!.OriginalString;
        }
        var id = location["/tus/".Length..];
        using var client = new ContractClient(system.Client());
        Assert.Equal("completing", (await client.GetOkAsync(id)).GetProperty("status").GetString());

        // A rolling update: the instance stops between Box's answers, and the client, done, never comes back.
        await leaving.DisposeAsync();
        Assert.Equal("completing", (await client.GetOkAsync(id)).GetProperty("status").GetString());

        await system.Gateway.GetRequiredService<StagingSweeper>().SweepOnceAsync(CancellationToken.None);

        var settled = await client.SettledAsync(id);
        Assert.Equal("completed", settled.GetProperty("status").GetString());
        var fileId = settled.GetProperty("result").GetProperty("file_id").GetString();
        using var box = system.BoxClient();
        Assert.Equal(file, await box.GetByteArrayAsync($"/2.0/files/{fileId}/content"));
    }
}
