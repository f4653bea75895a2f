using System.Net;
using Gateway.Api.Tus;
using Gateway.Expiry;
using Gateway.Rechunking;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>Expiration: tus answers 410 after <c>Upload-Expires</c>, and the staged tail (or a partial upload and its quota) goes with it.</summary>
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
        var staging = system.Gateway.GetRequiredService<ChunkStaging>();
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
        await system.Gateway.GetRequiredService<StagingSweeper>().SweepOnceAsync(CancellationToken.None);
        Assert.False(Directory.Exists(staging.Folder(id)));
    }

    [Fact]
    public async Task A_completed_upload_keeps_only_its_metadata_for_head_until_its_expiry_time_then_the_sweeper_removes_it()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(clock: clock, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:10:00";
            s["Gateway:Rechunking:SweepInterval"] = "1.00:00:00";
        });
        using var client = system.Client();
        var file = TestData.Bytes(GatewayHarness.PartSize + 7, seed: 24);
        var location = await CreatedAsync(client, file.Length, Metadata(("filename", "kept.bin")));
        using (var patch = await client.SendAsync(Patch(location, 0, file, 0, 100)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }
        using (var patch = await client.SendAsync(Patch(location, 100, file, 100)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }
        var staging = system.Gateway.GetRequiredService<ChunkStaging>();
        var folder = staging.Folder(location["/tus/".Length..]);
        await system.Gateway.GetRequiredService<StagingSweeper>().SweepOnceAsync(CancellationToken.None);
        Assert.Equal(["metadata"], Directory.GetFiles(folder).Select(Path.GetFileName));
        using (var head = await client.SendAsync(Head(location)))
        {
            Assert.Equal(Metadata(("filename", "kept.bin")), Header(head, "Upload-Metadata"));
        }

        clock.Advance(TimeSpan.FromMinutes(11));
        await system.Gateway.GetRequiredService<StagingSweeper>().SweepOnceAsync(CancellationToken.None);
        Assert.False(Directory.Exists(folder));
        using (var head = await client.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(file.Length, Offset(head));
        }
    }

    [Fact]
    public async Task A_partial_upload_expires_to_410_is_refused_by_a_final_post_and_its_quota_is_released_by_the_sweeper()
    {
        var clock = Clocks.StartingNow();
        await using var system = await GatewayHarness.StartAsync(clock: clock, gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:10:00";
            s["Gateway:Tenants:acme:Limits:StagingQuotaBytes"] = "1000";
            // Bytes alone, without the per-session floor (Limits/TenantCapsTests has that).
            s["Gateway:Limits:SessionOverheadBytes"] = "0";
            // The sweeper runs when this test says, not on its timer as the fake clock moves.
            s["Gateway:Rechunking:SweepInterval"] = "1.00:00:00";
        });
        using var client = system.Client();
        var create = Create(1000, null);
        create.Headers.Add("Upload-Concat", "partial");
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        Assert.True(DateTimeOffset.Parse(Header(created, "Upload-Expires")) <= clock.GetUtcNow().AddMinutes(10));
        using (var patch = await client.SendAsync(Patch(location, 0, new byte[1000])))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        clock.Advance(TimeSpan.FromMinutes(11));
        using (var head = await client.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        }
        using (var patch = await client.SendAsync(Patch(location, 1000, [])))
        {
            await TusProtocolTests.ExpectProblemAsync(patch, 410, "expired");
        }
        var final = new HttpRequestMessage(HttpMethod.Post, "/tus/");
        final.Headers.Add("Tus-Resumable", "1.0.0");
        final.Headers.Add("Upload-Concat", "final;" + location);
        final.Headers.Add("Upload-Metadata", Metadata(("filename", "from-expired.bin")));
        using (var refused = await client.SendAsync(final))
        {
            await TusProtocolTests.ExpectProblemAsync(refused, 400, "invalid_request");
        }

        await system.Gateway.GetRequiredService<StagingSweeper>().SweepOnceAsync(CancellationToken.None);
        var partials = system.Gateway.GetRequiredService<TusPartials>();
        Assert.False(Directory.Exists(partials.Folder(location["/tus/".Length..])));
        // Its 1000 bytes of the tenant's staging quota are free again (released by the sweeper; the reservation also lapses by itself).
        var again = Create(1000, null);
        again.Headers.Add("Upload-Concat", "partial");
        using var fits = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
    }
}
