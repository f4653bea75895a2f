using Microsoft.Extensions.Time.Testing;

namespace TestSupport;

/// <summary>The framework's settable clock, started where the tests need it.</summary>
public static class Clocks
{
    /// <summary>
    /// A <see cref="FakeTimeProvider"/> at the real time, to the millisecond (its default start is in 2000): code
    /// under test also reaches a real Redis, whose key expiry runs on the real clock, and the stores keep
    /// times in milliseconds. It moves only when the test advances it, and so do timers created on it.
    /// </summary>
    public static FakeTimeProvider StartingNow() =>
        new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
}
