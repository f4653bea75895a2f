using Gateway.Sessions;

namespace Gateway.Tests.Sessions;

/// <summary>Listing by status (issue 23, finding 1): the per-status indexes follow every status change, and page as the whole listing does.</summary>
public abstract partial class SessionStoreContract
{
    private async Task<string[]> ListAllOfStatusAsync(string tenant, string status, int pageSize)
    {
        var seen = new List<string>();
        ListCursor? cursor = null;
        do
        {
            var page = await Listing.ListAsync(tenant, status, cursor, pageSize, default);
            Assert.All(page.Sessions, s => Assert.Equal(status, s.Status));
            seen.AddRange(page.Sessions.Select(s => s.Id));
            cursor = page.Next;
        }
        while (cursor is not null);
        return [.. seen];
    }

    [Fact]
    public async Task Listing_by_status_follows_each_session_through_its_parts_and_transitions()
    {
        var tenant = "by-status-" + Guid.NewGuid().ToString("N");
        var created = await CreateAsync(NewSession(tenant: tenant));
        var uploading = await CreateAsync(NewSession(tenant: tenant));
        await UploadAsync(uploading, 3);
        var staged = await CreateAsync(NewSession(tenant: tenant));
        for (var n = 1; n <= 3; n++)
        {
            await UploadAsync(staged, n);
        }
        var reopened = await CreateAsync(NewSession(contentLength: 0, tenant: tenant) with { Status = SessionStatus.Staged });
        await Store.ApplyAsync(reopened.Id, tenant, SessionTransition.BeginComplete);
        await Store.ApplyAsync(reopened.Id, null, SessionTransition.Reopen);
        var failed = await CreateAsync(NewSession(contentLength: 0, tenant: tenant) with { Status = SessionStatus.Staged });
        await Store.ApplyAsync(failed.Id, tenant, SessionTransition.BeginComplete);
        await Store.ApplyAsync(failed.Id, null, SessionTransition.Fail);
        var completing = await CreateAsync(NewSession(contentLength: 0, tenant: tenant) with { Status = SessionStatus.Staged });
        await Store.ApplyAsync(completing.Id, tenant, SessionTransition.BeginComplete);
        var aborted = await CreateAsync(NewSession(tenant: tenant));
        await UploadAsync(aborted, 1);
        await Store.ApplyAsync(aborted.Id, null, SessionTransition.Abort);
        await CreateAsync(NewSession(tenant: "someone-else-" + Guid.NewGuid().ToString("N")));

        Assert.Equal([created.Id], await ListAllOfStatusAsync(tenant, SessionStatus.Created, 10));
        Assert.Equal([uploading.Id], await ListAllOfStatusAsync(tenant, SessionStatus.Uploading, 10));
        Assert.Equal(new[] { staged.Id, reopened.Id }.Order(), (await ListAllOfStatusAsync(tenant, SessionStatus.Staged, 10)).Order());
        Assert.Equal([completing.Id], await ListAllOfStatusAsync(tenant, SessionStatus.Completing, 10));
        Assert.Equal([failed.Id], await ListAllOfStatusAsync(tenant, SessionStatus.Failed, 10));
        Assert.Equal([aborted.Id], await ListAllOfStatusAsync(tenant, SessionStatus.Aborted, 10));
        Assert.Empty(await ListAllOfStatusAsync(tenant, SessionStatus.Completed, 10));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(50)]
    public async Task Listing_by_status_pages_newest_first_across_every_shard_and_through_ties(int pageSize)
    {
        var tenant = "by-status-pages-" + Guid.NewGuid().ToString("N");
        var expected = new List<(long Ms, string Id)>();
        for (var i = 0; i < 24; i++)
        {
            var session = await CreateAsync(NewSession(tenant: tenant));
            expected.Add((session.CreatedAt.ToUnixTimeMilliseconds(), session.Id));
            // Every third one a millisecond later: the rest tie, and are ordered by id as the cursor orders them.
            if (i % 3 == 2)
            {
                Clock.Advance(TimeSpan.FromMilliseconds(1));
            }
            if (i % 4 != 0)
            {
                await Store.ApplyAsync(session.Id, tenant, SessionTransition.Abort);
            }
        }
        var aborted = expected.Where((_, i) => i % 4 != 0)
            .OrderByDescending(e => e.Ms).ThenByDescending(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Id);

        Assert.Equal(aborted, await ListAllOfStatusAsync(tenant, SessionStatus.Aborted, pageSize));
    }

    [Fact]
    public async Task A_full_page_by_status_has_a_cursor_only_when_more_follow()
    {
        var tenant = "by-status-next-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 2; i++)
        {
            await CreateAsync(NewSession(tenant: tenant));
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var exactly = await Listing.ListAsync(tenant, SessionStatus.Created, null, 2, default);
        var first = await Listing.ListAsync(tenant, SessionStatus.Created, null, 1, default);

        Assert.Equal(2, exactly.Sessions.Count);
        Assert.Null(exactly.Next);
        Assert.NotNull(first.Next);
    }
}
