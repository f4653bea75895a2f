using Microsoft.Extensions.Time.Testing;
using Gateway.Domain;
using Gateway.Sessions;
using TestSupport;
using Gateway.Backends.Sandbox;

namespace Gateway.Tests.Sessions;

/// <summary>
/// What every <see cref="ISessionStore"/> must do. Runs against the Redis store (a real redis-server) and the
/// in-memory store, so the embedded default behaves exactly like production.
/// </summary>
public abstract partial class SessionStoreContract
{
    private const string Tenant = "acme";
    private const long MiB = 1024 * 1024;

    protected FakeTimeProvider Clock { get; } = Clocks.StartingNow();

    private protected StoreOptions Options { get; } = new() { LeaseTtl = TimeSpan.FromSeconds(30), KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..12] };

    private protected abstract ISessionStore Store { get; }

    private ISessionListing Listing => (ISessionListing)Store;

    private ISessionExpiryIndex Expiry => (ISessionExpiryIndex)Store;

    private IQuotaStore Quota => (IQuotaStore)Store;

    private IStoreLock Locks => (IStoreLock)Store;

    /// <summary>
    /// Bytes held in a scope, observed as StagingQuota sees them: one more byte fits under a limit of
    /// <c>held + 1</c> and not under <c>held</c>. The probe's reservation is released again.
    /// </summary>
    private async Task<long> ReservedAsync(string scope)
    {
        var until = Clock.GetUtcNow().AddHours(1);
        for (var held = 0L; held <= 1000; held++)
        {
            if (await Quota.TryReserveAsync(scope, "up_probe", 1, held + 1, until))
            {
                await Quota.ReleaseAsync(scope, "up_probe");
                return held;
            }
        }
        throw new InvalidOperationException($"More than 1000 bytes are held in {scope}.");
    }

    private protected UploadSession NewSession(long contentLength = 10 * MiB, long partSize = 4 * MiB, int maxConcurrency = 2, string tenant = Tenant)
    {
        var now = Clock.GetUtcNow();
        return new UploadSession
        {
            Id = "up_" + Guid.NewGuid().ToString("N"),
            Tenant = tenant,
            Backend = "sandbox",
            BackendType = "sandbox",
            Target = new SandboxTarget("sb_1", "/workspace/a.bin").ToTarget(),
            Kind = "file",
            Conflict = "error",
            ContentLength = contentLength,
            PartSize = partSize,
            PartCount = PartMath.PartCount(contentLength, partSize),
            MaxConcurrency = maxConcurrency,
            Limits = new SessionLimits(0, 0, maxConcurrency, 0),
            BackendSession = new BackendSessionRef("upload_1", new Dictionary<string, string> { ["upload_part"] = "http://b/x" }),
            Status = SessionStatus.Created,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddHours(1),
        };
    }

    private protected async Task<UploadSession> CreateAsync(UploadSession? session = null)
    {
        session ??= NewSession();
        await Store.CreateAsync(session);
        return session;
    }

    private static PartRecord Part(int n, long size, char digest = 'a') => new(n, size, DigestKinds.Sha256, new string(digest, 64), new string('b', 40), "P" + n);

    /// <summary>A Box part: known by its SHA-1, with a SHA-256 only when its client sent one.</summary>
    private static PartRecord BoxPart(int n, long size, char sha1, char? sha256 = null) =>
        new(n, size, DigestKinds.Sha1, sha256 is { } c ? new string(c, 64) : null, new string(sha1, 40), "P" + n);

    private async Task<PartEnd> UploadAsync(UploadSession s, int n, char digest = 'a')
    {
        var lease = PartLease.New(s.Id, s.Tenant, n);
        var begin = await Store.BeginPartAsync(lease, null);
        Assert.Equal(PartBeginOutcome.Started, begin.Outcome);
        return await Store.EndPartAsync(lease, Part(n, begin.ExpectedSize, digest));
    }

    [Fact]
    public async Task A_created_session_reads_back_with_no_progress()
    {
        var created = await CreateAsync();

        var read = await Store.GetAsync(created.Id, Tenant, default);

        Assert.NotNull(read);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(SessionStatus.Created, read.Status);
        Assert.Equal(3, read.PartCount);
        Assert.Equal(0, read.AcceptedBytes);
        Assert.Empty(read.ReceivedParts);
        Assert.Equal(0, read.PartsInFlight);
        Assert.Equal(created.Target, read.Target);
        Assert.Equal("http://b/x", read.BackendSession.Urls!["upload_part"]);
        Assert.Equal(created.ExpiresAt, read.ExpiresAt);
    }

    [Fact]
    public async Task Another_tenant_cannot_see_or_touch_a_session()
    {
        var s = await CreateAsync();

        Assert.Null(await Store.GetAsync(s.Id, "other", default));
        Assert.Equal(PartBeginOutcome.NotFound, (await Store.BeginPartAsync(PartLease.New(s.Id, "other", 1), null)).Outcome);
        var abort = await Store.ApplyAsync(s.Id, "other", SessionTransition.Abort);
        Assert.Equal(TransitionOutcome.NotFound, abort.Outcome);
        Assert.NotNull(await Store.GetAsync(s.Id, null, default));
    }

    [Fact]
    public async Task An_unknown_session_is_not_found()
    {
        Assert.Null(await Store.GetAsync("up_nope", Tenant, default));
        Assert.Equal(PartBeginOutcome.NotFound, (await Store.BeginPartAsync(PartLease.New("up_nope", Tenant, 1), null)).Outcome);
        Assert.Equal(PartEndOutcome.NotFound, (await Store.EndPartAsync(PartLease.New("up_nope", Tenant, 1), null)).Outcome);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public async Task A_part_number_outside_the_session_is_refused(int partNumber)
    {
        var s = await CreateAsync();

        var begin = await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, partNumber), null);

        Assert.Equal(PartBeginOutcome.NoSuchPart, begin.Outcome);
        Assert.Equal(3, begin.PartCount);
    }

    [Theory]
    [InlineData(1, 4 * MiB - 1, 4 * MiB)]
    [InlineData(3, 4 * MiB, 2 * MiB)]
    public async Task A_declared_size_that_breaks_the_part_rule_is_refused_with_the_expected_size(int n, long declared, long expected)
    {
        var s = await CreateAsync();

        var begin = await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, n), declared);

        Assert.Equal(PartBeginOutcome.SizeMismatch, begin.Outcome);
        Assert.Equal(expected, begin.ExpectedSize);
    }

    [Fact]
    public async Task Parts_move_the_session_to_uploading_then_staged_and_count_their_bytes()
    {
        var s = await CreateAsync();

        var first = await UploadAsync(s, 3);
        Assert.Equal(PartEndOutcome.Recorded, first.Outcome);
        Assert.Equal((2 * MiB, 1, SessionStatus.Uploading), (first.AcceptedBytes, first.PartsReceived, first.Status));

        await UploadAsync(s, 1);
        var read = await Store.GetAsync(s.Id, Tenant, default);
        Assert.Equal([1, 3], read!.ReceivedParts);
        Assert.Equal(6 * MiB, read.AcceptedBytes);

        var last = await UploadAsync(s, 2);
        Assert.Equal((10 * MiB, 3, SessionStatus.Staged), (last.AcceptedBytes, last.PartsReceived, last.Status));
    }

    [Fact]
    public async Task A_part_recorded_twice_with_the_same_digest_is_counted_once()
    {
        var s = await CreateAsync();
        await UploadAsync(s, 1);

        var again = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Part(1, 4 * MiB));

        Assert.Equal(PartEndOutcome.Duplicate, again.Outcome);
        Assert.Equal(4 * MiB, again.AcceptedBytes);
        Assert.Equal(1, again.PartsReceived);
    }

    [Fact]
    public async Task A_part_recorded_with_other_bytes_after_the_first_is_a_conflict()
    {
        var s = await CreateAsync();
        await UploadAsync(s, 1);

        var again = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Part(1, 4 * MiB, 'c'));

        Assert.Equal(PartEndOutcome.Conflict, again.Outcome);
        Assert.Equal(4 * MiB, again.AcceptedBytes);
    }

    [Fact]
    public async Task A_part_known_by_its_sha1_is_the_same_part_again_by_its_sha1_alone_whatever_sha256_either_carries()
    {
        var s = await CreateAsync();
        var lease = PartLease.New(s.Id, Tenant, 1);
        await Store.BeginPartAsync(lease, null);
        await Store.EndPartAsync(lease, BoxPart(1, 4 * MiB, 'b'));

        var same = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), BoxPart(1, 4 * MiB, 'b', sha256: 'e'));
        var other = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), BoxPart(1, 4 * MiB, 'c'));

        Assert.Equal(PartEndOutcome.Duplicate, same.Outcome);
        Assert.Equal(PartEndOutcome.Conflict, other.Outcome);
        Assert.Equal(1, other.PartsReceived);
        Assert.Equal(BoxPart(1, 4 * MiB, 'b'), Assert.Single(await Store.ListPartsAsync(s.Id, default)));
    }

    [Fact]
    public async Task A_part_known_by_no_digest_is_the_same_part_again_only_with_the_same_size_and_backend_part_id()
    {
        var s = await CreateAsync();
        var lease = PartLease.New(s.Id, Tenant, 1);
        await Store.BeginPartAsync(lease, null);
        PartRecord Keyless(string? partId) => new(1, 4 * MiB, DigestKinds.None, null, null, partId);
        await Store.EndPartAsync(lease, Keyless("\"etag-1\""));

        var same = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Keyless("\"etag-1\""));
        // A longer id that starts with the recorded one, a shorter one, none, and a part known by a digest.
        var longer = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Keyless("\"etag-1\"x"));
        var shorter = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Keyless("\"etag"));
        var none = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Keyless(null));
        var digest = await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), Part(1, 4 * MiB));

        Assert.Equal(PartEndOutcome.Duplicate, same.Outcome);
        Assert.All([longer, shorter, none, digest], end => Assert.Equal(PartEndOutcome.Conflict, end.Outcome));
        Assert.Equal(Keyless("\"etag-1\""), Assert.Single(await Store.ListPartsAsync(s.Id, default)));
    }

    [Fact]
    public async Task Beginning_a_received_part_returns_its_record_for_comparison()
    {
        var s = await CreateAsync();
        await UploadAsync(s, 2);

        var begin = await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 2), 4 * MiB);

        Assert.Equal(PartBeginOutcome.AlreadyReceived, begin.Outcome);
        Assert.Equal(new string('a', 64), begin.Existing!.Sha256);
        Assert.Equal("P2", begin.Existing.BackendPartId);
        Assert.Equal(s.Id, begin.Session!.Id);
    }

    [Fact]
    public async Task The_concurrency_limit_counts_parts_in_flight_and_frees_when_one_ends()
    {
        var s = await CreateAsync(NewSession(maxConcurrency: 2));
        var one = PartLease.New(s.Id, Tenant, 1);
        Assert.Equal(PartBeginOutcome.Started, (await Store.BeginPartAsync(one, null)).Outcome);
        Assert.Equal(PartBeginOutcome.Started, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 2), null)).Outcome);

        Assert.Equal(PartBeginOutcome.ConcurrencyLimit, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 3), null)).Outcome);
        Assert.Equal(2, (await Store.GetAsync(s.Id, Tenant, default))!.PartsInFlight);

        await Store.EndPartAsync(one, null);
        Assert.Equal(PartBeginOutcome.Started, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 3), null)).Outcome);
    }

    [Fact]
    public async Task A_part_already_in_flight_cannot_be_begun_again()
    {
        var s = await CreateAsync(NewSession(maxConcurrency: 4));
        await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null);

        Assert.Equal(PartBeginOutcome.PartInFlight, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null)).Outcome);
    }

    [Fact]
    public async Task A_lease_lapses_after_its_ttl_so_a_crashed_instance_never_blocks_a_part()
    {
        var s = await CreateAsync(NewSession(maxConcurrency: 1));
        await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null);

        Clock.Advance(Options.LeaseTtl + TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, (await Store.GetAsync(s.Id, Tenant, default))!.PartsInFlight);
        Assert.Equal(PartBeginOutcome.Started, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null)).Outcome);
    }

    [Fact]
    public async Task A_renewed_lease_keeps_its_part_in_flight()
    {
        var s = await CreateAsync(NewSession(maxConcurrency: 1));
        var lease = PartLease.New(s.Id, Tenant, 1);
        await Store.BeginPartAsync(lease, null);

        Clock.Advance(Options.LeaseTtl * 0.8);
        await Store.RenewLeaseAsync(lease);
        Clock.Advance(Options.LeaseTtl * 0.8);

        Assert.Equal(PartBeginOutcome.PartInFlight, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null)).Outcome);
    }

    [Fact]
    public async Task Ending_with_another_requests_token_does_not_release_its_lease()
    {
        var s = await CreateAsync(NewSession(maxConcurrency: 1));
        await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null);

        await Store.EndPartAsync(PartLease.New(s.Id, Tenant, 1), null);

        Assert.Equal(1, (await Store.GetAsync(s.Id, Tenant, default))!.PartsInFlight);
    }

    [Fact]
    public async Task A_failed_part_releases_its_lease_and_counts_nothing()
    {
        var s = await CreateAsync();
        var lease = PartLease.New(s.Id, Tenant, 1);
        await Store.BeginPartAsync(lease, null);

        var end = await Store.EndPartAsync(lease, null);

        Assert.Equal(PartEndOutcome.Released, end.Outcome);
        var read = await Store.GetAsync(s.Id, Tenant, default);
        Assert.Equal((0, 0L, SessionStatus.Created), (read!.PartsInFlight, read.AcceptedBytes, read.Status));
    }

    [Fact]
    public async Task A_session_past_its_expiry_takes_no_parts()
    {
        var s = await CreateAsync();

        Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(PartBeginOutcome.Expired, (await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 1), null)).Outcome);
    }

    [Fact]
    public async Task Completing_requires_every_part()
    {
        var s = await CreateAsync();
        await UploadAsync(s, 1);

        var early = await Store.ApplyAsync(s.Id, Tenant, SessionTransition.BeginComplete);
        Assert.Equal((TransitionOutcome.WrongState, SessionStatus.Uploading), (early.Outcome, early.PreviousStatus));

        await UploadAsync(s, 2);
        await UploadAsync(s, 3);
        var completing = await Store.ApplyAsync(s.Id, Tenant, SessionTransition.BeginComplete);
        Assert.Equal((TransitionOutcome.Done, SessionStatus.Staged), (completing.Outcome, completing.PreviousStatus));

        var result = new SessionResult { Path = "/workspace/a.bin", Size = 10 * MiB };
        await Store.ApplyAsync(s.Id, Tenant, SessionTransition.Complete, result);
        var read = await Store.GetAsync(s.Id, Tenant, default);
        Assert.Equal(SessionStatus.Completed, read!.Status);
        Assert.Equal(result, read.Result);
    }

    [Fact]
    public async Task An_aborted_session_takes_no_parts_and_records_none_that_were_in_flight()
    {
        var s = await CreateAsync();
        var lease = PartLease.New(s.Id, Tenant, 1);
        await Store.BeginPartAsync(lease, null);

        await Store.ApplyAsync(s.Id, Tenant, SessionTransition.Abort);

        var begin = await Store.BeginPartAsync(PartLease.New(s.Id, Tenant, 2), null);
        Assert.Equal((PartBeginOutcome.InvalidState, SessionStatus.Aborted), (begin.Outcome, begin.Status));
        var end = await Store.EndPartAsync(lease, Part(1, 4 * MiB));
        Assert.Equal(PartEndOutcome.NotTakingParts, end.Outcome);
        Assert.Equal(0, (await Store.GetAsync(s.Id, Tenant, default))!.AcceptedBytes);
    }

    [Fact]
    public async Task Parts_are_listed_ascending_with_their_records()
    {
        var s = await CreateAsync();
        await UploadAsync(s, 3, 'c');
        await UploadAsync(s, 1, 'a');

        var parts = await Store.ListPartsAsync(s.Id, default);

        Assert.Equal([1, 3], parts.Select(p => p.Number));
        Assert.Equal(new PartRecord(3, 2 * MiB, DigestKinds.Sha256, new string('c', 64), new string('b', 40), "P3"), parts[1]);
    }

    [Fact]
    public async Task A_tenants_sessions_are_listed_newest_first_in_pages()
    {
        var tenant = "lister-" + Guid.NewGuid().ToString("N");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreateAsync(NewSession(tenant: tenant))).Id);
            Clock.Advance(TimeSpan.FromMilliseconds(5));
        }
        await CreateAsync(NewSession(tenant: "someone-else"));

        var first = await Listing.ListAsync(tenant, null, null, 2, default);
        var second = await Listing.ListAsync(tenant, null, first.Next, 2, default);
        var third = await Listing.ListAsync(tenant, null, second.Next, 2, default);

        Assert.Equal([ids[4], ids[3]], first.Sessions.Select(s => s.Id));
        Assert.Equal([ids[2], ids[1]], second.Sessions.Select(s => s.Id));
        Assert.Equal([ids[0]], third.Sessions.Select(s => s.Id));
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task Sessions_created_in_the_same_millisecond_are_each_listed_once()
    {
        var tenant = "same-ms-" + Guid.NewGuid().ToString("N");
        var ids = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreateAsync(NewSession(tenant: tenant))).Id);
        }

        var seen = new List<string>();
        ListCursor? cursor = null;
        do
        {
            var page = await Listing.ListAsync(tenant, null, cursor, 2, default);
            seen.AddRange(page.Sessions.Select(s => s.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(ids.Order(), seen.Order());
    }

    [Fact]
    public async Task Listing_filters_by_status()
    {
        var tenant = "filter-" + Guid.NewGuid().ToString("N");
        var aborted = await CreateAsync(NewSession(tenant: tenant));
        await CreateAsync(NewSession(tenant: tenant));
        await Store.ApplyAsync(aborted.Id, tenant, SessionTransition.Abort);

        var page = await Listing.ListAsync(tenant, SessionStatus.Aborted, null, 10, default);

        Assert.Equal([aborted.Id], page.Sessions.Select(s => s.Id));
    }

    [Fact]
    public async Task Live_sessions_of_every_tenant_are_listed_with_progress_until_they_end()
    {
        var first = await CreateAsync(NewSession(tenant: "live-a") with { ExpiresAt = Clock.GetUtcNow().AddMinutes(10) });
        var second = await CreateAsync(NewSession(tenant: "live-b") with { ExpiresAt = Clock.GetUtcNow().AddMinutes(20) });
        var ended = await CreateAsync(NewSession(tenant: "live-b"));
        await UploadAsync(first, 1);
        await Store.ApplyAsync(ended.Id, null, SessionTransition.Abort);
        await Expiry.ForgetExpiryAsync(ended.Id);

        var live = await Store.ListLiveAsync(10, default);

        Assert.Equal(2, live.Total);
        Assert.Equal([second.Id, first.Id], live.Sessions.Select(s => s.Id));
        Assert.Equal(4 * MiB, live.Sessions.Single(s => s.Id == first.Id).AcceptedBytes);
        Assert.Equal([1], live.Sessions.Single(s => s.Id == first.Id).ReceivedParts);

        var countOnly = await Store.ListLiveAsync(0, default);
        Assert.Equal(2, countOnly.Total);
        Assert.Empty(countOnly.Sessions);
        Assert.Equal([second.Id], (await Store.ListLiveAsync(1, default)).Sessions.Select(s => s.Id));
    }

    [Fact]
    public async Task Sessions_past_their_expiry_are_due_until_forgotten()
    {
        var early = await CreateAsync(NewSession() with { ExpiresAt = Clock.GetUtcNow().AddMinutes(1) });
        var late = await CreateAsync(NewSession() with { ExpiresAt = Clock.GetUtcNow().AddMinutes(10) });

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([early.Id], await Expiry.DueForExpiryAsync(10, default));

        await Expiry.ForgetExpiryAsync(early.Id);
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([late.Id], await Expiry.DueForExpiryAsync(10, default));
    }

    [Fact]
    public async Task A_quota_scope_refuses_a_reservation_over_its_limit_until_one_is_released()
    {
        var scope = "tenant:" + Guid.NewGuid().ToString("N");
        var until = Clock.GetUtcNow().AddHours(1);

        Assert.True(await Quota.TryReserveAsync(scope, "up_a", 60, 100, until));
        Assert.True(await Quota.TryReserveAsync(scope, "up_a", 60, 100, until));
        Assert.False(await Quota.TryReserveAsync(scope, "up_b", 41, 100, until));
        Assert.True(await Quota.TryReserveAsync(scope, "up_c", 40, 100, until));
        Assert.Equal(100, await ReservedAsync(scope));

        await Quota.ReleaseAsync(scope, "up_a");
        await Quota.ReleaseAsync(scope, "up_a");

        Assert.Equal(40, await ReservedAsync(scope));
        Assert.True(await Quota.TryReserveAsync(scope, "up_b", 41, 100, until));
    }

    [Fact]
    public async Task A_reservation_of_zero_bytes_is_held_and_released_like_any_other()
    {
        var scope = "tenant:" + Guid.NewGuid().ToString("N");
        var until = Clock.GetUtcNow().AddHours(1);
        Assert.True(await Quota.TryReserveAsync(scope, "up_empty", 0, 10, until));
        Assert.True(await Quota.TryReserveAsync(scope, "up_full", 10, 10, until));

        await Quota.ReleaseAsync(scope, "up_empty");
        await Quota.ReleaseAsync(scope, "up_full");

        Assert.Equal(0, await ReservedAsync(scope));
    }

    [Fact]
    public async Task A_reservation_lapses_with_its_session_so_a_crash_cannot_leak_quota()
    {
        var scope = "sandbox:" + Guid.NewGuid().ToString("N");
        Assert.True(await Quota.TryReserveAsync(scope, "up_a", 100, 100, Clock.GetUtcNow().AddMinutes(5)));

        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, await ReservedAsync(scope));
        Assert.True(await Quota.TryReserveAsync(scope, "up_b", 100, 100, Clock.GetUtcNow().AddMinutes(5)));
        Assert.Equal(100, await ReservedAsync(scope));
    }

    [Fact]
    public async Task A_lock_has_one_owner_at_a_time_and_only_the_owner_releases_it()
    {
        var name = "sweeper-" + Guid.NewGuid().ToString("N");

        Assert.True(await Locks.TryAcquireLockAsync(name, "a", TimeSpan.FromMinutes(1)));
        Assert.True(await Locks.TryAcquireLockAsync(name, "a", TimeSpan.FromMinutes(1)));
        Assert.False(await Locks.TryAcquireLockAsync(name, "b", TimeSpan.FromMinutes(1)));

        await Locks.ReleaseLockAsync(name, "b");
        Assert.False(await Locks.TryAcquireLockAsync(name, "b", TimeSpan.FromMinutes(1)));

        await Locks.ReleaseLockAsync(name, "a");
        Assert.True(await Locks.TryAcquireLockAsync(name, "b", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_lock_whose_lease_ran_out_can_be_taken_by_another_owner()
    {
        var name = "sweeper-" + Guid.NewGuid().ToString("N");
        Assert.True(await Locks.TryAcquireLockAsync(name, "a", TimeSpan.FromMilliseconds(100)));

        // Redis keeps lock leases on its own clock, the in-memory store on the injected one: move both.
        Clock.Advance(TimeSpan.FromMilliseconds(150));
        await Task.Delay(150);

        Assert.True(await Locks.TryAcquireLockAsync(name, "b", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task The_store_reports_itself_reachable()
    {
        Assert.True(await Store.IsReachableAsync(default));
    }
}
