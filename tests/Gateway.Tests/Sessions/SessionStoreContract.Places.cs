namespace Gateway.Tests.Sessions;

/// <summary>Counted scopes (issue 23, finding 1: a tenant's caps on live sessions and on tus partials), on every store.</summary>
public abstract partial class SessionStoreContract
{
    [Fact]
    public async Task A_counted_scope_refuses_a_place_once_every_one_is_taken_until_one_is_given_back()
    {
        var scope = "sessions:places-" + Guid.NewGuid().ToString("N");
        var until = Clock.GetUtcNow().AddHours(1);
        Assert.True(await Quota.TryTakePlaceAsync(scope, "up_1", 2, until));
        Assert.True(await Quota.TryTakePlaceAsync(scope, "up_2", 2, until));

        Assert.False(await Quota.TryTakePlaceAsync(scope, "up_3", 2, until));
        // Taking a place already held is a no-op, not a second place.
        Assert.True(await Quota.TryTakePlaceAsync(scope, "up_2", 2, until));
        Assert.True(await Quota.TryTakePlaceAsync("sessions:another-" + Guid.NewGuid().ToString("N"), "up_3", 2, until));

        await Quota.ReleasePlaceAsync(scope, "up_1");
        await Quota.ReleasePlaceAsync(scope, "up_1");

        Assert.True(await Quota.TryTakePlaceAsync(scope, "up_3", 2, until));
        Assert.False(await Quota.TryTakePlaceAsync(scope, "up_4", 2, until));
    }

    [Fact]
    public async Task A_place_lapses_with_its_session_so_a_crashed_instance_cannot_leak_it()
    {
        var scope = "sessions:lapse-" + Guid.NewGuid().ToString("N");
        Assert.True(await Quota.TryTakePlaceAsync(scope, "up_1", 1, Clock.GetUtcNow().AddMinutes(5)));
        Assert.False(await Quota.TryTakePlaceAsync(scope, "up_2", 1, Clock.GetUtcNow().AddMinutes(5)));

        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await Quota.TryTakePlaceAsync(scope, "up_2", 1, Clock.GetUtcNow().AddMinutes(5)));
    }

    [Fact]
    public async Task Concurrent_takes_never_hand_out_more_places_than_there_are()
    {
        var scope = "sessions:race-" + Guid.NewGuid().ToString("N");
        var until = Clock.GetUtcNow().AddHours(1);

        var taken = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Quota.TryTakePlaceAsync(scope, $"up_{i}", 7, until)));

        Assert.Equal(7, taken.Count(t => t));
    }
}
