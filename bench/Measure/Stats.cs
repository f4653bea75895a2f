namespace Bench.Measure;

/// <summary>Order statistics of small samples (a few dozen part latencies, a few repetitions).</summary>
internal static class Stats
{
    /// <summary>The q-quantile, linearly interpolated between order statistics (Hyndman and Fan's type 7, as numpy and R default).</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    public static double Median(IEnumerable<double> values) => Quantile(values, 0.5);
}
