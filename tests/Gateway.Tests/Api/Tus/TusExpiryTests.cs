using System.Net;
using Gateway.Api.Tus;
using Gateway.Expiry;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>Expiration: tus answers 410 after <c>Upload-Expires</c>, and the staged tail goes with the session.</summary>
public sealed class TusExpiryTests
{
    [Fact]
    public async Task After_upload_expires_head_and_patch_are_410_and_the_sweepers_remove_session_and_staged_tail()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(clock: clock, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:10:00";
        });
        using var client = system.Client();
        var location = await CreatedAsync(client, 3 * GatewayHarness.PartSize, Metadata(("filename", "expiring.bin")));
        using (var patch = await client.SendAsync(Patch(location, 0, TestData.Bytes(1000, seed: 7))))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            Assert.True(DateTimeOffset.Parse(Header(patch, "Upload-Expires")) <= clock.GetUtcNow().AddMinutes(10));
        }
        var id = location["/tus/".Length..];
        var staging = system.Gateway.GetRequiredService<TusStaging>();
        Assert.True(Directory.Exists(staging.Folder(id)));

        clock.Advance(TimeSpan.FromMinutes(11));
        using (var head = await client.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        }
        using (var patch = await client.SendAsync(Patch(location, 1000, new byte[10])))
        {
            await TusProtocolTests.ExpectProblemAsync(patch, 410, "expired");
        }

        await system.Gateway.GetRequiredService<ExpirySweeper>().SweepOnceAsync(CancellationToken.None);
        // The staging sweeper also runs on its own timer (the fake clock moved past it); either way the folder goes.
        await system.Gateway.GetRequiredService<TusStagingSweeper>().SweepOnceAsync(CancellationToken.None);
        Assert.False(Directory.Exists(staging.Folder(id)));
    }
}
