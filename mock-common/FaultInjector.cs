namespace MockCommon;

/// <summary>The active fault rules. Thread-safe: parts of one upload arrive concurrently.</summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _rules = [];

    public void Add(FaultRule rule)
    {
        if (rule.Count is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), "count must be positive, or absent for a rule that stays until cleared");
        }
        if (rule.Kind == FaultKind.Omit && string.IsNullOrEmpty(rule.Field))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), "an omit fault needs the field to leave out");
        }
        lock (_lock)
        {
            _rules.Add(new Entry(rule, rule.Count));
        }
    }

    public IReadOnlyList<FaultRule> List()
    {
        lock (_lock)
        {
            return [.. _rules.Select(e => e.Rule with { Count = e.Remaining })];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    /// <summary>
    /// The faults that fire for this request, each counted down once: latency rules add up, and the
    /// first error or drop rule wins.
    /// </summary>
    public (int LatencyMs, FaultRule? Failure) Take(string method, string path)
    {
        lock (_lock)
        {
            var latency = 0;
            FaultRule? failure = null;
            for (var i = 0; i < _rules.Count; i++)
            {
                var entry = _rules[i];
                if (!entry.Rule.Matches(method, path) || (entry.Rule.Kind != FaultKind.Latency && failure is not null))
                {
                    continue;
                }
                if (entry.Rule.Kind == FaultKind.Latency)
                {
                    latency += entry.Rule.LatencyMs;
                }
                else
                {
                    failure = entry.Rule;
                }
                if (entry.Remaining is { } remaining)
                {
                    if (remaining <= 1)
                    {
                        _rules.RemoveAt(i--);
                    }
                    else
                    {
                        _rules[i] = entry with { Remaining = remaining - 1 };
                    }
                }
            }
            return (latency, failure);
        }
    }

    private sealed record Entry(FaultRule Rule, int? Remaining);
}
