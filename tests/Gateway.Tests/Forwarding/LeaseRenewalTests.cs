using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Sessions.InMemory;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Gateway.Backends.Sandbox;

namespace Gateway.Tests.Forwarding;

/// <summary>A part that is still streaming keeps its lease; one whose renewal stopped loses it after the lease's time.</summary>
public sealed class LeaseRenewalTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = Clocks.StartingNow();
    private readonly RenewalCounter _store;

    public LeaseRenewalTests() => _store = new RenewalCounter(new InMemorySessionStore(new StoreOptions { LeaseTtl = Ttl }, _clock));

    [Fact]
    public async Task A_renewed_lease_outlives_its_first_term_and_a_stopped_one_lapses()
    {
        var session = await CreateAsync();
        var lease = PartLease.New(session.Id, session.Tenant, 1);
        Assert.Equal(PartBeginOutcome.Started, (await _store.BeginPartAsync(lease, null)).Outcome);

        await using (new LeaseKeeper(Ttl, () => _store.RenewLeaseAsync(lease), _clock))
        {
            // Renewed every third of the lease. The clock moves one period at a time and each renewal is awaited
            // (a periodic timer folds ticks it was not waiting for into one): after three, the first term is over.
            for (var i = 0; i < 3; i++)
            {
                var renewed = _store.NextRenewal();
                _clock.Advance(Ttl / 3);
                await renewed.WaitAsync(TimeSpan.FromMinutes(1));
            }
            Assert.Equal(PartBeginOutcome.PartInFlight, (await _store.BeginPartAsync(PartLease.New(session.Id, session.Tenant, 1), null)).Outcome);
        }

        _clock.Advance(Ttl + TimeSpan.FromMilliseconds(1));
        Assert.Equal(PartBeginOutcome.Started, (await _store.BeginPartAsync(PartLease.New(session.Id, session.Tenant, 1), null)).Outcome);
    }

    private async Task<UploadSession> CreateAsync()
    {
        var now = _clock.GetUtcNow();
        var session = new UploadSession
        {
            Id = "up_" + Guid.NewGuid().ToString("N"),
            Tenant = "acme",
            Backend = "sandbox",
            BackendType = "sandbox",
            Target = new SandboxTarget("sb_a", "/a").ToTarget(),
            Kind = "file",
            Conflict = "error",
            ContentLength = 100,
            PartSize = 50,
            PartCount = 2,
            MaxConcurrency = 2,
            Limits = new SessionLimits(100, 100, 2, 0),
            BackendSession = new BackendSessionRef("b1"),
            Status = SessionStatus.Created,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddHours(1),
        };
        await _store.CreateAsync(session);
        return session;
    }

    /// <summary>The in-memory store, telling the test when a renewal has reached it.</summary>
    private sealed class RenewalCounter(ISessionStore inner) : ISessionStore
    {
        private TaskCompletionSource _renewed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task NextRenewal() => (_renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public async Task RenewLeaseAsync(PartLease lease)
        {
            await inner.RenewLeaseAsync(lease);
            _renewed.TrySetResult();
        }

        public Task CreateAsync(UploadSession session) => inner.CreateAsync(session);

        public Task<UploadSession?> GetAsync(string id, string? tenant, CancellationToken cancellationToken) => inner.GetAsync(id, tenant, cancellationToken);

        public Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize) => inner.BeginPartAsync(lease, declaredSize);

        public Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted) => inner.EndPartAsync(lease, accepted);

        public Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken) => inner.ListPartsAsync(id, cancellationToken);

        public Task<Transition> ApplyAsync(string id, string? tenant, SessionTransition transition, SessionResult? result = null) =>
            inner.ApplyAsync(id, tenant, transition, result);

        public Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken) => inner.ListLiveAsync(max, cancellationToken);

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);
    }
}
