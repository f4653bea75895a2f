using Microsoft.Extensions.Time.Testing;
using System.Net;
using MockBox.Tests.Support;
using TestSupport;

namespace MockBox.Tests.Sessions;

/// <summary>mock-box/README.md "Limits and lifecycle": sessions live 7 days (configurable); expired → 410 session_expired.</summary>
public sealed class ExpiryTests
{
    [Theory]
    [InlineData(ClockRegistration.BeforeAddMockBox)]
    [InlineData(ClockRegistration.AfterAddMockBox)]
    public async Task Test_clock_wins_whether_registered_before_or_after_AddMockBox(ClockRegistration registration)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        await using var box = await MockBoxHost.StartAsync(clock: clock, registration: registration);

        var session = await box.CreateSessionAsync(1000);

        Assert.Equal("2030-05-13T07:08:09+00:00", session.Json.GetProperty("session_expires_at").GetString());
    }

    [Fact]
    public async Task Session_expires_at_is_creation_time_plus_the_configured_ttl()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:SessionTtl"] = "01:30:00" }, clock);

        var session = await box.CreateSessionAsync(1000);

        Assert.Equal("2030-01-01T01:30:00+00:00", session.Json.GetProperty("session_expires_at").GetString());
    }

    [Fact]
    public async Task Session_past_its_ttl_answers_410_session_expired_to_every_operation_and_its_bytes_are_deleted()
    {
        var clock = Clocks.StartingNow();
        await using var box = await MockBoxHost.StartAsync(clock: clock);
        var session = await box.CreateSessionAsync(150_000);
        var parts = await box.UploadAllPartsAsync(session, seed: 4);

        clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        using (var stillAlive = await box.Client.GetAsync(session.Endpoint("status")))
        {
            await BoxAssert.StatusAsync(stillAlive, HttpStatusCode.OK);
        }
        clock.Advance(TimeSpan.FromSeconds(1));

        using var get = await box.Client.GetAsync(session.Endpoint("status"));
        using var put = await box.PutPartAsync(session, seed: 4, offset: 0, length: 65536);
        using var list = await box.Client.GetAsync(session.Endpoint("list_parts"));
        using var commit = await box.CommitAsync(session, parts, MockBoxHost.WholeFileDigest(4, 150_000));
        using var log = await box.Client.PostAsync(session.Endpoint("log_event"), null);
        using var abort = await box.Client.DeleteAsync(session.Endpoint("abort"));

        foreach (var response in new[] { get, put, list, commit, log, abort })
        {
            await BoxAssert.ErrorAsync(response, 410, "session_expired");
        }
        Assert.False(Directory.Exists(Path.Combine(box.DataRoot, "sessions", session.Id)));
    }

    [Fact]
    public async Task Creating_a_session_sweeps_the_bytes_of_sessions_that_expired_unattended()
    {
        var clock = Clocks.StartingNow();
        await using var box = await MockBoxHost.StartAsync(clock: clock);
        var abandoned = await box.CreateSessionAsync(150_000);
        await box.UploadAllPartsAsync(abandoned, seed: 4);
        var folder = Path.Combine(box.DataRoot, "sessions", abandoned.Id);
        Assert.True(Directory.Exists(folder));

        clock.Advance(TimeSpan.FromDays(8));
        await box.CreateSessionAsync(1000, name: "new.bin");

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Ttl_changed_through_the_mock_surface_applies_to_sessions_created_afterwards()
    {
        var clock = Clocks.StartingNow();
        await using var box = await MockBoxHost.StartAsync(clock: clock);
        using (var patch = await box.Client.PatchAsync("/_mock/settings", MockBoxHost.JsonContent("""{"session_ttl_seconds":60}""")))
        {
            await BoxAssert.StatusAsync(patch, HttpStatusCode.OK);
        }
        var session = await box.CreateSessionAsync(1000);

        clock.Advance(TimeSpan.FromSeconds(60));
        using var response = await box.Client.GetAsync(session.Endpoint("status"));

        await BoxAssert.ErrorAsync(response, 410, "session_expired");
    }
}
