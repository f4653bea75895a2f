using Gateway.Sessions;

namespace Gateway.Tests.Sessions;

/// <summary>
/// What every store's <see cref="IEventLog"/> must do, on the same stores as <see cref="SessionStoreContract"/>:
/// an event for each transition that reports one and for no other, read once per group, claimed, acknowledged,
/// trimmed, and dead letters kept and replayed.
/// </summary>
public abstract partial class SessionStoreContract
{
    private IEventLog Events => (IEventLog)Store;

    /// <summary>Everything the shard of <paramref name="id"/> gives a fresh group, for that session.</summary>
    private async Task<List<StoredEvent>> ReadAllAsync(string group, string id)
    {
        var shard = EventTypes.ShardOf(id, Events.Shards);
        await Events.EnsureGroupAsync(group, shard);
        var read = await Events.ReadNewAsync(group, shard, "c1", 1000);
        return [.. read.Where(e => e.Session.Id == id)];
    }

    [Fact]
    public async Task Each_transition_that_reports_an_event_writes_it_with_the_session_as_it_was_and_no_other_does()
    {
        var session = await CreateAsync(NewSession(contentLength: 8 * MiB, partSize: 4 * MiB));
        await UploadAsync(session, 1);
        await UploadAsync(session, 2);
        Assert.Equal(TransitionOutcome.Done, (await Store.ApplyAsync(session.Id, Tenant, SessionTransition.BeginComplete)).Outcome);
        Assert.Equal(TransitionOutcome.Done, (await Store.ApplyAsync(session.Id, null, SessionTransition.Reopen)).Outcome);
        Assert.Equal(TransitionOutcome.Done, (await Store.ApplyAsync(session.Id, Tenant, SessionTransition.BeginComplete)).Outcome);
        Assert.Equal(TransitionOutcome.Done, (await Store.ApplyAsync(session.Id, null, SessionTransition.Complete, new SessionResult { Path = "/x", Size = 8 * MiB })).Outcome);
        // A transition that does not happen writes nothing.
        Assert.Equal(TransitionOutcome.WrongState, (await Store.ApplyAsync(session.Id, null, SessionTransition.Abort)).Outcome);

        var events = await ReadAllAsync("g1", session.Id);

        Assert.Equal([EventTypes.Created, EventTypes.Completed], events.Select(e => e.Type));
        Assert.Equal(SessionStatus.Created, events[0].Session.Status);
        Assert.Equal(0, events[0].Session.PartsReceived);
        Assert.Equal(SessionStatus.Completed, events[1].Session.Status);
        Assert.Equal(8 * MiB, events[1].Session.AcceptedBytes);
        Assert.Equal([1, 2], events[1].Session.ReceivedParts);
        Assert.Equal("/x", events[1].Session.Result?.Path);
        Assert.NotEqual(events[0].EventId, events[1].EventId);
        // Another group reads the same events; this one has none left to read.
        Assert.Equal(events.Select(e => e.EventId), (await ReadAllAsync("g2", session.Id)).Select(e => e.EventId));
        Assert.Empty(await ReadAllAsync("g1", session.Id));
    }

    [Fact]
    public async Task With_no_one_to_deliver_them_to_no_event_is_written()
    {
        // AddEvents turns this off when no webhook endpoint is configured.
        Options.WriteEvents = false;
        var session = await CreateAsync();
        Assert.Equal(TransitionOutcome.Done, (await Store.ApplyAsync(session.Id, Tenant, SessionTransition.Abort)).Outcome);

        Assert.Empty(await ReadAllAsync("g1", session.Id));
        Assert.Equal(SessionStatus.Aborted, (await Store.GetAsync(session.Id, Tenant, default))!.Status);
    }

    [Fact]
    public async Task Unacknowledged_events_are_claimed_by_the_next_consumer_and_trimmed_only_once_every_group_acknowledged()
    {
        var session = await CreateAsync();
        Assert.Equal(TransitionOutcome.Done, (await Store.ApplyAsync(session.Id, Tenant, SessionTransition.Abort)).Outcome);
        var shard = EventTypes.ShardOf(session.Id, Events.Shards);
        var read = await ReadAllAsync("g1", session.Id);
        await ReadAllAsync("g2", session.Id);
        Assert.Equal(2, read.Count);

        await Events.AckAsync("g1", shard, read[0].EntryId);
        var claimed = (await Events.ClaimPendingAsync("g1", shard, "c2")).Where(e => e.Session.Id == session.Id).ToList();
        Assert.Equal([read[1].EventId], claimed.Select(e => e.EventId));

        await Events.AckAsync("g1", shard, read[1].EntryId);
        await Events.TrimAsync(shard, ["g1", "g2"], Clock.GetUtcNow());
        await Events.EnsureGroupAsync("g3", shard);
        Assert.Equal(2, (await Events.ReadNewAsync("g3", shard, "c1", 1000)).Count(e => e.Session.Id == session.Id));

        foreach (var e in await Events.ClaimPendingAsync("g2", shard, "c1"))
        {
            await Events.AckAsync("g2", shard, e.EntryId);
        }
        await Events.TrimAsync(shard, ["g1", "g2"], Clock.GetUtcNow());
        await Events.EnsureGroupAsync("g4", shard);
        // At most the last entry acknowledged by every group stays (XTRIM MINID keeps it); the first is gone.
        var left = (await Events.ReadNewAsync("g4", shard, "c1", 1000)).Where(e => e.Session.Id == session.Id).ToList();
        Assert.DoesNotContain(left, e => e.EventId == read[0].EventId);
    }

    [Fact]
    public async Task A_dead_letter_is_listed_and_replayed_once_for_its_group_only_with_its_event_id()
    {
        var session = await CreateAsync();
        var shard = EventTypes.ShardOf(session.Id, Events.Shards);
        var created = Assert.Single(await ReadAllAsync("g1", session.Id));
        await ReadAllAsync("g2", session.Id);

        await Events.AddDeadLetterAsync("g1", created, "http_5xx", 7);
        await Events.AckAsync("g1", shard, created.EntryId);

        var letter = Assert.Single(await Events.ListDeadLettersAsync("g1", null, 10, default));
        Assert.Equal(1, await Events.CountDeadLettersAsync("g1", default));
        Assert.Equal(created.EventId, letter.Event.EventId);
        Assert.Equal(session.Id, letter.Event.Session.Id);
        Assert.Equal(("http_5xx", 7), (letter.Reason, letter.Attempts));
        Assert.Empty(await Events.ListDeadLettersAsync("g1", letter.Id, 10, default));
        Assert.Empty(await Events.ListDeadLettersAsync("g2", null, 10, default));

        Assert.True(await Events.ReplayDeadLetterAsync("g1", letter.Id));
        Assert.False(await Events.ReplayDeadLetterAsync("g1", letter.Id));

        Assert.Equal(0, await Events.CountDeadLettersAsync("g1", default));
        var again = Assert.Single(await ReadAllAsync("g1", session.Id));
        Assert.Equal((created.EventId, created.Type, "g1"), (again.EventId, again.Type, again.Only));
        Assert.NotEqual(created.EntryId, again.EntryId);
    }

    [Fact]
    public async Task Consumers_of_a_group_count_while_seen_within_the_window_and_not_once_gone()
    {
        var group = "members-" + Guid.NewGuid().ToString("N");
        var window = TimeSpan.FromSeconds(30);

        Assert.Equal(1, await Events.AnnounceAsync(group, "a", window));
        Assert.Equal(2, await Events.AnnounceAsync(group, "b", window));
        Assert.Equal(2, await Events.AnnounceAsync(group, "a", window));
        // Another group's consumers are not this one's.
        Assert.Equal(1, await Events.AnnounceAsync(group + "-other", "c", window));

        // b stops announcing (it died): once a window has passed it no longer counts.
        Clock.Advance(window * 0.6);
        Assert.Equal(2, await Events.AnnounceAsync(group, "a", window));
        Clock.Advance(window * 0.6);
        Assert.Equal(1, await Events.AnnounceAsync(group, "a", window));

        // One shutting down leaves at once.
        Assert.Equal(2, await Events.AnnounceAsync(group, "b", window));
        await Events.LeaveAsync(group, "b");
        Assert.Equal(1, await Events.AnnounceAsync(group, "a", window));
    }

    [Fact]
    public async Task Dead_letters_are_trimmed_to_the_newest_max_count_and_the_rest_still_list_and_replay()
    {
        Options.DeadLetterMaxCount = 3;
        var group = "dl-count-" + Guid.NewGuid().ToString("N")[..8];
        var events = new List<StoredEvent>();
        for (var i = 0; i < 5; i++)
        {
            var session = await CreateAsync();
            var created = Assert.Single(await ReadAllAsync(group, session.Id));
            await Events.AddDeadLetterAsync(group, created, "http_5xx", i + 1);
            events.Add(created);
        }

        var letters = await Events.ListDeadLettersAsync(group, null, 10, default);

        Assert.Equal(3, await Events.CountDeadLettersAsync(group, default));
        Assert.Equal(events.Skip(2).Select(e => e.EventId), letters.Select(l => l.Event.EventId));
        Assert.Equal([3, 4, 5], letters.Select(l => l.Attempts));
        Assert.True(await Events.ReplayDeadLetterAsync(group, letters[0].Id));
        Assert.Equal(2, await Events.CountDeadLettersAsync(group, default));
    }

    [Fact]
    public async Task Dead_letters_older_than_their_max_age_are_dropped_even_when_no_new_one_arrives()
    {
        Options.DeadLetterMaxAge = TimeSpan.FromHours(1);
        var group = "dl-age-" + Guid.NewGuid().ToString("N")[..8];
        var old = await CreateAsync();
        await Events.AddDeadLetterAsync(group, Assert.Single(await ReadAllAsync(group, old.Id)), "timeout", 1);
        Clock.Advance(TimeSpan.FromMinutes(50));
        var recent = await CreateAsync();
        await Events.AddDeadLetterAsync(group, Assert.Single(await ReadAllAsync(group, recent.Id)), "timeout", 1);
        Assert.Equal(2, await Events.CountDeadLettersAsync(group, default));

        Clock.Advance(TimeSpan.FromMinutes(11));

        var left = Assert.Single(await Events.ListDeadLettersAsync(group, null, 10, default));
        Assert.Equal(recent.Id, left.Event.Session.Id);
        Assert.Equal(1, await Events.CountDeadLettersAsync(group, default));

        Clock.Advance(TimeSpan.FromMinutes(50));

        Assert.Equal(0, await Events.CountDeadLettersAsync(group, default));
    }
}
