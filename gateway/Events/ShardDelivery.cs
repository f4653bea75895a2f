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
/// </summary>
internal sealed class ShardDelivery(
    WebhookEndpoint endpoint,
    int shard,
    string consumer,
    IEventLog events,
    IStoreLock locks,
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
            try
            {
                if (await locks.TryAcquireLockAsync(LockName, consumer, options.LeaseTtl))
                {
                    await OwnAsync(stopping);
                    if (!stopping.IsCancellationRequested)
                    {
                        Log.ShardLost(logger, endpoint.Name, shard);
                    }
                    continue;
                }
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                Log.StoreFailed(logger, endpoint.Name, shard, e);
            }
            await DelayAsync(options.LeaseTtl / 3, stopping);
        }
    }

    private async Task OwnAsync(CancellationToken stopping)
    {
        using var term = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        try
        {
            await events.EnsureGroupAsync(endpoint.Name, shard);
            var claimed = await events.ClaimPendingAsync(endpoint.Name, shard, consumer);
            Log.ShardOwned(logger, endpoint.Name, shard, claimed.Count);
            await TakeAsync(claimed, term.Token);
            var renewAt = time.GetUtcNow() + (options.LeaseTtl / 3);
            while (!term.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= renewAt)
                {
                    if (!await locks.TryAcquireLockAsync(LockName, consumer, options.LeaseTtl))
                    {
                        return;
                    }
                    renewAt = time.GetUtcNow() + (options.LeaseTtl / 3);
                }
                var room = options.MaxInHand - Volatile.Read(ref _inHand);
                var fresh = room > 0 ? await events.ReadNewAsync(endpoint.Name, shard, consumer, Math.Min(room, ReadBatch)) : [];
                await TakeAsync(fresh, term.Token);
                if (fresh.Count < ReadBatch)
                {
                    await DelayAsync(options.PollInterval, term.Token);
                }
            }
        }
        finally
        {
            // Whatever is in hand stays pending in the group: the next owner (maybe this instance again) claims it.
            await term.CancelAsync();
            Task[] runners;
            lock (_gate)
            {
                runners = [.. _runners];
            }
            await Task.WhenAll(runners.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
            lock (_gate)
            {
                _runners.Clear();
                _bySession.Clear();
                _inHand = 0;
            }
            if (stopping.IsCancellationRequested)
            {
                // Shutting down: let another instance take over now rather than when the lease lapses.
                await locks.ReleaseLockAsync(LockName, consumer);
            }
        }
    }

    /// <summary>Queues events behind their session's earlier ones; those not for this endpoint are acknowledged at once.</summary>
    private async Task TakeAsync(IReadOnlyList<StoredEvent> batch, CancellationToken term)
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
                _runners.Add(Task.Run(() => RunSessionAsync(id, term), CancellationToken.None));
            }
        }
        foreach (var stored in skipped)
        {
            await events.AckAsync(endpoint.Name, shard, stored.EntryId);
        }
    }

    /// <summary>One session's events, one at a time, each until delivered or given up on.</summary>
    private async Task RunSessionAsync(string id, CancellationToken term)
    {
        while (!term.IsCancellationRequested)
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
                await DeliverAsync(head, term);
                await events.AckAsync(endpoint.Name, shard, head.EntryId);
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store failed (acknowledging, or keeping a dead letter): the event stays at the head and goes
                // again; the receiver may see it twice, which at-least-once allows.
                Log.StoreFailed(logger, endpoint.Name, shard, e);
                await DelayAsync(options.PollInterval, term);
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

    private async Task DeliverAsync(StoredEvent stored, CancellationToken term)
    {
        var body = EventPayload.Render(stored, data);
        for (var failures = 0; ; )
        {
            await endpoint.Slots.WaitAsync(term);
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
            await Task.Delay(next - now, time, term);
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
