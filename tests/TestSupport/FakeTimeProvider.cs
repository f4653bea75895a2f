namespace TestSupport;

/// <summary>
/// A clock a test moves by hand, so expiry is tested without sleeping. Timers still run on real time:
/// code under test reads "now" from the provider and tests drive background loops explicitly.
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    /// <summary>Starts at the real time (to the millisecond), so anything that also reaches a real server's
    /// clock, such as Redis key expiry, stays consistent.</summary>
    public FakeTimeProvider()
        : this(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public void SetUtcNow(DateTimeOffset now)
    {
        lock (_lock)
        {
            _now = now;
        }
    }
}
