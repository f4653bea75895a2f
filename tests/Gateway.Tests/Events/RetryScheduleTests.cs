using Gateway.Events;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Events;

/// <summary>The backoff schedule on a fake clock: doubling with jitter, capped, Retry-After honoured, 24 hours by default.</summary>
public sealed class RetryScheduleTests
{
    private static readonly WebhookOptions Defaults = new();

    [Fact]
    public void Each_wait_doubles_between_half_and_all_of_its_ceiling_up_to_the_cap()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var happened = clock.GetUtcNow();
        var lowest = new RetrySchedule(Defaults, () => 0.0);
        var highest = new RetrySchedule(Defaults, () => 0.999999);
        for (var failures = 1; failures <= 12; failures++)
        {
            var ceiling = TimeSpan.FromTicks(Math.Min(Defaults.MaxRetryDelay.Ticks, Defaults.FirstRetryDelay.Ticks << (failures - 1)));
            var now = clock.GetUtcNow();
            Assert.Equal(now + (ceiling / 2), lowest.Next(happened, failures, null, now));
            Assert.InRange(highest.Next(happened, failures, null, now)!.Value - now, ceiling * 0.999, ceiling);
            clock.Advance(ceiling);
        }
    }

    [Fact]
    public void Retries_go_on_for_24_hours_after_the_event_and_the_last_one_lands_on_the_deadline()
    {
        var clock = new FakeTimeProvider();
        var happened = clock.GetUtcNow();
        var schedule = new RetrySchedule(Defaults, () => 0.5);
        var failures = 0;
        DateTimeOffset? next;
        var last = happened;
        while ((next = schedule.Next(happened, ++failures, null, clock.GetUtcNow())) is { } at)
        {
            Assert.True(at > clock.GetUtcNow());
            last = at;
            clock.SetUtcNow(at);
        }
        Assert.Equal(happened + TimeSpan.FromHours(24), last);
        Assert.InRange(failures, 90, 200); // about 24 h / 11 min once capped, plus the ramp
    }

    [Fact]
    public void A_receivers_Retry_After_is_waited_out_but_never_longer_than_an_hour()
    {
        var clock = new FakeTimeProvider();
        var now = clock.GetUtcNow();
        var schedule = new RetrySchedule(Defaults, () => 0.0);

        Assert.Equal(now + TimeSpan.FromMinutes(3), schedule.Next(now, 1, TimeSpan.FromMinutes(3), now));
        Assert.Equal(now + TimeSpan.FromHours(1), schedule.Next(now, 1, TimeSpan.FromDays(30), now));
        // A Retry-After shorter than the backoff does not shorten it.
        Assert.Equal(now + TimeSpan.FromSeconds(2.5), schedule.Next(now, 1, TimeSpan.FromMilliseconds(1), now));
    }

    [Fact]
    public void An_event_older_than_the_retry_window_is_given_up_on()
    {
        var clock = new FakeTimeProvider();
        var happened = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromHours(24));

        Assert.Null(new RetrySchedule(Defaults).Next(happened, 1, null, clock.GetUtcNow()));
    }
}
