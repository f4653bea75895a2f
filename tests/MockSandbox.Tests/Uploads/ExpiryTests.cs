using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;
using TestSupport;

namespace MockSandbox.Tests.Uploads;

public sealed class ExpiryTests
{
    [Theory]
    [InlineData(ClockRegistration.BeforeAddMockSandbox)]
    [InlineData(ClockRegistration.AfterAddMockSandbox)]
    public async Task A_session_past_expires_at_is_expired_its_bytes_deleted_and_its_reservation_released(ClockRegistration registration)
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:SessionTtl"] = "01:00:00" }, clock, registration);
        const int Size = 2 * SandboxMockHost.PartSize;
        var id = (await mock.CreateFileSessionAsync(Size)).Id();
        await mock.PutPartOkAsync(id, 0, TestData.Bytes(50, 0, SandboxMockHost.PartSize));
        Assert.Equal(Size, await mock.ReservedBytesAsync());

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("uploading", (await mock.GetStatusAsync(id)).Status());

        clock.Advance(TimeSpan.FromMinutes(1));
        var status = await mock.GetStatusAsync(id);
        Assert.Equal("expired", status.Status());
        Assert.Equal(0, status.Long("reserved_staging_bytes"));
        Assert.Equal(status.GetProperty("expires_at").GetString(), status.GetProperty("updated_at").GetString());
        Assert.False(Directory.Exists(mock.StagingPath(id)));
        Assert.Equal(0, await mock.ReservedBytesAsync());

        using (var part = await mock.PutGeneratedPartAsync(id, 1, 50, Size))
        {
            var error = await ApiAssert.ErrorAsync(part, HttpStatusCode.Conflict, "upload_conflict");
            Assert.Equal("expired", error.GetProperty("details").GetProperty("status").GetString());
        }
        using (var complete = await mock.PostCompleteAsync(id))
        {
            await ApiAssert.ErrorAsync(complete, HttpStatusCode.Conflict, "upload_conflict");
        }
    }

    [Fact]
    public async Task A_staged_session_expires_too_and_cannot_be_completed()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        var id = (await mock.CreateFileSessionAsync(10)).Id();
        await mock.PutPartOkAsync(id, 0, new byte[10]);
        clock.Advance(TimeSpan.FromDays(1));
        using var complete = await mock.PostCompleteAsync(id);
        var error = await ApiAssert.ErrorAsync(complete, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("expired", error.GetProperty("details").GetProperty("status").GetString());
        Assert.Null(await mock.ReadFileAsync("/workspace/file.bin"));
    }

    [Fact]
    public async Task Expired_sessions_nobody_touches_release_their_quota_for_new_sessions()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        await mock.ConfigureSandboxAsync(new JsonObject
        {
            ["session_ttl_seconds"] = 60,
            ["limits"] = new JsonObject { ["sandbox_staging_quota_bytes"] = 1000 },
        });
        var stale = (await mock.CreateFileSessionAsync(1000)).Id();
        using (var full = await mock.PostCreateAsync(SandboxMockHost.FileBody(1)))
        {
            await ApiAssert.ErrorAsync(full, (HttpStatusCode)429, "quota_exceeded");
        }

        clock.Advance(TimeSpan.FromSeconds(60));
        await mock.CreateFileSessionAsync(1000, "/workspace/fresh.bin");
        Assert.Equal("expired", (await mock.GetStatusAsync(stale)).Status());
    }

    [Fact]
    public async Task The_sweep_expires_sessions_without_any_request_touching_them()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        var id = (await mock.CreateFileSessionAsync(100)).Id();
        await mock.PutPartOkAsync(id, 0, new byte[100]);
        // The mock's sweeper ticks on the clock's timer, which FakeTimeProvider fires as it advances: nothing
        // else sweeps, and the sweep runs on the sweeper's own thread, so wait for its effect.
        clock.Advance(TimeSpan.FromHours(25));

        for (var i = 0; i < 1000 && (Directory.Exists(mock.StagingPath(id)) || await mock.ReservedBytesAsync() != 0); i++)
        {
            await Task.Delay(10);
        }
        Assert.False(Directory.Exists(mock.StagingPath(id)));
        Assert.Equal(0, await mock.ReservedBytesAsync());
        Assert.Equal("expired", (await mock.GetStatusAsync(id)).Status());
    }

    [Fact]
    public async Task Ended_sessions_are_forgotten_one_ttl_after_their_expiry()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:SessionTtl"] = "01:00:00" }, clock);
        var id = (await mock.CreateFileSessionAsync(0)).Id();
        await mock.CompleteOkAsync(id);

        clock.Advance(TimeSpan.FromMinutes(119));
        (await mock.Client.PostAsync("/_mock/sweep", null)).Dispose();
        Assert.Equal("completed", (await mock.GetStatusAsync(id)).Status());

        clock.Advance(TimeSpan.FromMinutes(1));
        (await mock.Client.PostAsync("/_mock/sweep", null)).Dispose();
        using var response = await mock.Client.GetAsync(SandboxMockHost.UploadUrl(id));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_completed_session_does_not_expire()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        var id = (await mock.CreateFileSessionAsync(0)).Id();
        await mock.CompleteOkAsync(id);
        clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal("completed", (await mock.GetStatusAsync(id)).Status());
    }
}
