using Gateway.Sessions;
using Gateway.Telemetry;

namespace Gateway.Events;

/// <summary>
/// Delivers one shard's events to one endpoint, while this instance holds the shard's lease for that endpoint
/// (<see cref="IStoreLock"/>): one owner at a time, so a session's events go out one after the other, in the
/// order its transitions happened; the shard's other sessions go in parallel, each waiting out its own retries.
/// Taking a lease, the owner first claims whatever the group had pending (left by an owner that died or was cut
/// off), then reads what is new. An event is acknowledged once delivered or kept as a dead letter, never before:
/// an owner killed mid-delivery loses nothing, the next one sends it again (at least once, same <c>webhook-id</c>).
/// The instances share an endpoint's shards (<see cref="ShardShare"/>): a worker takes a free lease only while
/// its instance is below its share, and an owner above it hands its shard over at a safe point: what is being
/// sent finishes, nothing new starts, the rest stays pending (in order, for the next owner to claim), the lease is
/// released, and this instance leaves it alone for a lease period so that another takes it.
/// </summary>
internal sealed class ShardDelivery(
    WebhookEndpoint endpoint,
    int shard,
    string consumer,
    IEventLog events,
    IStoreLock locks,
    ShardShare share,
    WebhookSender sender,
    IEventDataWriter data,
    WebhookOptions options,
    WebhookMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    private const int ReadBatch = 100;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<StoredEvent>> _bySession = new(StringComparer.Ordinal);
    private readonly List<Task> _runners = [];
    private readonly RetrySchedule _schedule = new(options);
    private int _inHand;

    /// <summary>Set when the shard was given up (already counted off the share), even if releasing its lease then failed.</summary>
    private bool _handedOver;

    private string LockName => $"webhooks:{endpoint.Name}:{shard}";

    /// <summary>The age of the oldest event in hand, for the lag gauge; null when there is none.</summary>
    public TimeSpan? OldestAge()
    {
        lock (_gate)
        {
            return _bySession.Count == 0 ? null : time.GetUtcNow() - _bySession.Values.Min(q => q.Peek().At);
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var wait = options.LeaseTtl / 3;
            if (share.TryReserve())
            {
                _handedOver = false;
                try
                {
                    if (await locks.TryAcquireLockAsync(LockName, consumer, options.LeaseTtl))
                    {
                        await OwnAsync(stopping);
                        if (!_handedOver && !stopping.IsCancellationRequested)
                        {
                            Log.ShardLost(logger, endpoint.Name, shard);
                            wait = TimeSpan.Zero;
                        }
                    }
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    Log.StoreFailed(logger, endpoint.Name, shard, e);
                }
                finally
                {
                    // Giving up already counted this shard off the share.
                    if (!_handedOver)
                    {
                        share.Release();
                    }
                }
                if (_handedOver)
                {
                    // Not straight back: another instance, below its share, is to take it meanwhile.
                    wait = options.LeaseTtl;
                }
            }
            await DelayAsync(wait, stopping);
        }
    }

    /// <summary>Delivers until the lease is lost, the host stops, or this instance is above its share (<see cref="_handedOver"/>).</summary>
    private async Task OwnAsync(CancellationToken stopping)
    {
        // term stops everything at once (the lease is gone, or the host stops); drain only lets nothing new start;
        // owning ends the reading when the lease is lost or handed over.
        using var term = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(term.Token);
        using var owning = CancellationTokenSource.CreateLinkedTokenSource(term.Token);
        try
        {
            await events.EnsureGroupAsync(endpoint.Name, shard);
            var claimed = await events.ClaimPendingAsync(endpoint.Name, shard, consumer);
            Log.ShardOwned(logger, endpoint.Name, shard, claimed.Count);
            await TakeAsync(claimed, drain.Token, term.Token);
            await using (new LeaseKeeper(options.LeaseTtl, () => RenewAsync(owning), owning.Cancel, time))
            {
                while (!owning.IsCancellationRequested)
                {
                    var room = options.MaxInHand - Volatile.Read(ref _inHand);
                    var fresh = room > 0 ? await events.ReadNewAsync(endpoint.Name, shard, consumer, Math.Min(room, ReadBatch)) : [];
                    await TakeAsync(fresh, drain.Token, term.Token);
                    if (fresh.Count < ReadBatch)
                    {
                        await DelayAsync(options.PollInterval, owning.Token);
                    }
                }
            }
        }
        finally
        {
            // Whatever is in hand stays pending in the group: the next owner (maybe this instance again) claims it.
            if (_handedOver)
            {
                // Handing over: the attempts under way finish (and are acknowledged if delivered) first. The lease
                // was just renewed, so it outlasts this wait and nobody else sends this shard's events meanwhile.
                await drain.CancelAsync();
                await Task.WhenAny(RunnersDone(), Task.Delay(options.LeaseTtl / 3, time, CancellationToken.None));
            }
            await term.CancelAsync();
            await RunnersDone();
            lock (_gate)
            {
                _runners.Clear();
                _bySession.Clear();
                _inHand = 0;
            }
            if (stopping.IsCancellationRequested || _handedOver)
            {
                // Shutting down or handing over: let another instance take over now rather than when the lease lapses.
                await locks.ReleaseLockAsync(LockName, consumer);
            }
        }
    }

    /// <summary>
    /// Renews the shard's lease (false: it is another instance's now); once renewed, gives the shard up when this
    /// instance is above its share, which ends <paramref name="owning"/>.
    /// </summary>
    private async Task<bool> RenewAsync(CancellationTokenSource owning)
    {
        if (!await locks.TryAcquireLockAsync(LockName, consumer, options.LeaseTtl))
        {
            return false;
        }
        if (!_handedOver && share.TryGiveUp())
        {
            _handedOver = true;
            Log.ShardGivenUp(logger, endpoint.Name, shard, share.Fair());
            await owning.CancelAsync();
        }
        return true;
    }

    private Task RunnersDone()
    {
        Task[] runners;
        lock (_gate)
        {
            runners = [.. _runners];
        }
        return Task.WhenAll(runners.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    /// <summary>Queues events behind their session's earlier ones; those not for this endpoint are acknowledged at once.</summary>
    private async Task TakeAsync(IReadOnlyList<StoredEvent> batch, CancellationToken drain, CancellationToken term)
    {
        var skipped = new List<StoredEvent>();
        lock (_gate)
        {
            foreach (var stored in batch)
            {
                if (!endpoint.Wants(stored))
                {
                    skipped.Add(stored);
                    continue;
                }
                _inHand++;
                if (_bySession.TryGetValue(stored.Session.Id, out var queue))
                {
                    if (!queue.Any(q => q.EntryId == stored.EntryId))
                    {
                        queue.Enqueue(stored);
                    }
                    else
                    {
                        _inHand--;
                    }
                    continue;
                }
                _bySession[stored.Session.Id] = new Queue<StoredEvent>([stored]);
                var id = stored.Session.Id;
                _runners.RemoveAll(r => r.IsCompleted);
                _runners.Add(Task.Run(() => RunSessionAsync(id, drain, term), CancellationToken.None));
            }
        }
        foreach (var stored in skipped)
        {
            await events.AckAsync(endpoint.Name, shard, stored.EntryId);
        }
    }

    /// <summary>One session's events, one at a time, each until delivered or given up on, or until drained.</summary>
    private async Task RunSessionAsync(string id, CancellationToken drain, CancellationToken term)
    {
        while (!drain.IsCancellationRequested)
        {
            StoredEvent head;
            lock (_gate)
            {
                if (!_bySession.TryGetValue(id, out var queue) || queue.Count == 0)
                {
                    _bySession.Remove(id);
                    return;
                }
                head = queue.Peek();
            }
            try
            {
                await DeliverAsync(head, drain, term);
                await events.AckAsync(endpoint.Name, shard, head.EntryId);
            }
            catch (OperationCanceledException) when (drain.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store failed (acknowledging, or keeping a dead letter): the event stays at the head and goes
                // again; the receiver may see it twice, which at-least-once allows.
                Log.StoreFailed(logger, endpoint.Name, shard, e);
                await DelayAsync(options.PollInterval, drain);
                continue;
            }
            lock (_gate)
            {
                if (_bySession.TryGetValue(id, out var queue) && queue.Count > 0)
                {
                    queue.Dequeue();
                    _inHand--;
                    if (queue.Count == 0)
                    {
                        _bySession.Remove(id);
                        return;
                    }
                }
            }
        }
    }

    /// <summary>Only <paramref name="term"/> cuts an attempt short; <paramref name="drain"/> stops before the next one.</summary>
    private async Task DeliverAsync(StoredEvent stored, CancellationToken drain, CancellationToken term)
    {
        var body = EventPayload.Render(stored, data);
        for (var failures = 0; ; )
        {
            await endpoint.Slots.WaitAsync(drain);
            Attempt attempt;
            try
            {
                attempt = await sender.SendAsync(endpoint, stored, body, failures + 1, term);
            }
            finally
            {
                endpoint.Slots.Release();
            }
            metrics.Attempted(endpoint.Name, stored.Type, attempt.Outcome);
            if (attempt.Delivered)
            {
                return;
            }
            failures++;
            var now = time.GetUtcNow();
            if (_schedule.Next(stored.At, failures, attempt.RetryAfter, now) is not { } next)
            {
                await events.AddDeadLetterAsync(endpoint.Name, stored, attempt.Outcome, failures);
                metrics.DeadLettered(endpoint.Name, stored.Type);
                Log.DeadLettered(logger, stored.EventId, stored.Type, stored.Session.Id, endpoint.Name, failures, attempt.Outcome);
                return;
            }
            Log.AttemptFailed(logger, stored.EventId, stored.Type, endpoint.Name, attempt.Outcome, failures, next);
            await Task.Delay(next - now, time, drain);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
