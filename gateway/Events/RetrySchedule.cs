namespace Gateway.Events;

/// <summary>
/// When to try an event again: exponential backoff with jitter (each wait is drawn between half and all of
/// <c>first × 2^(failures-1)</c>, capped), never sooner than a receiver's <c>Retry-After</c> asked, and no later
/// than <see cref="WebhookOptions.RetryFor"/> after the event happened. "Now" comes from the caller's
/// <see cref="TimeProvider"/>, so the schedule is tested with a fake clock.
/// </summary>
internal sealed class RetrySchedule(WebhookOptions options, Func<double>? random = null)
{
    /// <summary>A receiver cannot park an event for longer than this with Retry-After.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>The next attempt after <paramref name="failures"/> failed ones (at least 1), or null: give up.</summary>
    public DateTimeOffset? Next(DateTimeOffset happenedAt, int failures, TimeSpan? retryAfter, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var deadline = happenedAt + options.RetryFor;
        if (now >= deadline)
        {
            return null;
        }
        var ceiling = Math.Min(options.MaxRetryDelay.TotalMilliseconds, options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        var wait = TimeSpan.FromMilliseconds(ceiling * (0.5 + (_random() / 2)));
        if (retryAfter is { } asked && asked > wait)
        {
            wait = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }
        var next = now + wait;
        // The last try lands on the deadline rather than past it.
        return next > deadline ? deadline : next;
    }
}
