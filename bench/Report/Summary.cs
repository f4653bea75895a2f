using System.Globalization;
using System.Text;
using Bench.Measure;

namespace Bench.Report;

/// <summary>The tables the benchmark prints: every run, the summary with ratios against direct, CPU shares, and the targets.</summary>
internal sealed class Summary(IReadOnlyList<RunResult> runs, long coldIdleRss, long warmIdleRss)
{
    private const double MiB = 1024 * 1024;

    public string Runs()
    {
        var table = new MarkdownTable("backend", "path", "c", "rep", "MB/s", "p50 ms", "p99 ms", "complete ms",
            "gw RSS before MiB", "gw RSS peak MiB", "CPU% client", "CPU% mock", "CPU% proxy", "CPU% redis", "CPU% other", "steal%");
        foreach (var r in runs)
        {
            table.Add(r.Backend, r.Path, I(r.Concurrency), I(r.Repetition), F(r.MegabytesPerSecond, 0), F(r.P50, 1), F(r.P99, 1),
                F(r.CompleteMilliseconds, 0), F(r.GatewayRssBefore / MiB, 0), F(r.GatewayRssPeak / MiB, 0),
                F(r.CpuPercent("client"), 0), F(r.CpuPercent(MockOf(r.Backend)), 0), F(r.CpuPercent(r.Middle), 0),
                F(r.CpuPercent("redis-server"), 1), F(r.OtherCpuPercent, 0), F(100 * r.MachineStealSeconds / r.PartsSeconds, 0));
        }
        return table.ToString();
    }

    public string Results()
    {
        var table = new MarkdownTable("backend", "c", "path", "MB/s median [min–max]", "÷ direct, paired median [min–max]",
            "p50 ms", "p99 ms", "added p50 ms", "gw peak RSS MiB", "RSS growth MiB (warm / cold idle)");
        foreach (var group in Groups())
        {
            foreach (var path in group.Select(r => r.Path).Distinct())
            {
                var these = group.Where(r => r.Path == path).ToList();
                // Each path against the direct runs of the same client.
                var direct = group.Where(r => r.Kind == "direct" && r.Client == these[0].Client).ToList();
                var speed = these.Select(r => r.MegabytesPerSecond).ToList();
                var ratios = Paired(these, direct).ToList();
                var p50 = Stats.Quantile(these.SelectMany(r => r.PartMilliseconds), 0.5);
                var added = direct.Count > 0 && these[0].Kind != "direct" ? p50 - Stats.Quantile(direct.SelectMany(r => r.PartMilliseconds), 0.5) : double.NaN;
                var peak = these.Max(r => r.GatewayRssPeak);
                table.Add(these[0].Backend, I(these[0].Concurrency), path,
                    $"{F(Stats.Median(speed), 0)} [{F(speed.Min(), 0)}–{F(speed.Max(), 0)}]",
                    these[0].Kind == "direct" || ratios.Count == 0 ? "" : $"{P(Stats.Median(ratios))} [{P(ratios.Min())}–{P(ratios.Max())}]",
                    F(p50, 1), F(Stats.Quantile(these.SelectMany(r => r.PartMilliseconds), 0.99), 1),
                    double.IsNaN(added) ? "" : (added >= 0 ? "+" : "") + F(added, 1),
                    F(peak / MiB, 0), $"{F((peak - warmIdleRss) / MiB, 0)} / {F((peak - coldIdleRss) / MiB, 0)}");
            }
        }
        return table.ToString();
    }

    public string Cpu()
    {
        var table = new MarkdownTable("backend", "c", "path", "client %", "mock %", "proxy %", "redis %", "all ours %", "other %", "steal %",
            "client CPU s/GiB", "mock CPU s/GiB", "proxy CPU s/GiB");
        foreach (var group in Groups())
        {
            foreach (var path in group.Select(r => r.Path).Distinct())
            {
                var these = group.Where(r => r.Path == path).ToList();
                string Median(Func<RunResult, double> f, int digits = 0) => F(Stats.Median(these.Select(f)), digits);
                var mock = MockOf(these[0].Backend);
                var proxy = these[0].Middle;
                double PerGiB(RunResult r, string process) => r.CpuSeconds.GetValueOrDefault(process) / (r.Bytes / (MiB * 1024));
                table.Add(these[0].Backend, I(these[0].Concurrency), path,
                    Median(r => r.CpuPercent("client")), Median(r => r.CpuPercent(mock)), Median(r => r.CpuPercent(proxy)),
                    Median(r => r.CpuPercent("redis-server"), 1), Median(r => 100 * r.CpuSeconds.Values.Sum() / r.PartsSeconds),
                    Median(r => r.OtherCpuPercent), Median(r => 100 * r.MachineStealSeconds / r.PartsSeconds),
                    Median(r => PerGiB(r, "client"), 2), Median(r => PerGiB(r, mock), 2), Median(r => PerGiB(r, proxy), 2));
            }
        }
        return table.ToString();
    }

    public string Targets()
    {
        var text = new StringBuilder();
        foreach (var backend in runs.Select(r => r.Backend).Distinct())
        {
            var floor = backend == "box" ? 0.85 : 0.90;
            var direct4 = runs.Where(r => r.Backend == backend && r.Path == "direct" && r.Concurrency == 4).ToList();
            var nginx4 = runs.Where(r => r.Backend == backend && r.Path == "nginx" && r.Concurrency == 4).ToList();
            foreach (var path in new[] { "gateway", "gateway-before" })
            {
                var gateway4 = runs.Where(r => r.Backend == backend && r.Path == path && r.Concurrency == 4).ToList();
                if (direct4.Count > 0 && gateway4.Count > 0)
                {
                    var ratio = Stats.Median(Paired(gateway4, direct4));
                    text.AppendLine(CultureInfo.InvariantCulture, $"- {backend}: {path} throughput at c=4 is {P(ratio)} of direct (target ≥ {P(floor)}): {Verdict(ratio >= floor)}");
                }
                if (nginx4.Count > 0 && gateway4.Count > 0 && backend == "sandbox")
                {
                    var ratio = Stats.Median(Paired(gateway4, nginx4));
                    text.AppendLine(CultureInfo.InvariantCulture, $"- {backend}: {path} throughput at c=4 is {P(ratio)} of nginx (target ≥ 100%): {Verdict(ratio >= 1)}");
                }
            }
            // CPU per GiB is the figure load disturbs least (docs/BENCHMARKS.md).
            foreach (var path in runs.Where(r => r.Backend == backend && r.Kind != "direct").Select(r => r.Path).Distinct())
            {
                var these = runs.Where(r => r.Backend == backend && r.Path == path).ToList();
                var perGiB = Stats.Median(these.Select(r => r.CpuSeconds.GetValueOrDefault(r.Middle) / (r.Bytes / (MiB * 1024))));
                var target = (backend, path) switch
                {
                    ("sandbox", "gateway") => 0.8,
                    ("box", "gateway") => 1.3,
                    _ => double.NaN,
                };
                var verdict = double.IsNaN(target) ? "" : $" (target ≤ {F(target, 1)} s/GiB with client digests): {Verdict(perGiB <= target)}";
                text.AppendLine(CultureInfo.InvariantCulture, $"- {backend}: {these[0].Middle} CPU on the {path} path is {F(perGiB, 2)} s/GiB (median over every concurrency){verdict}");
            }
            foreach (var c in runs.Where(r => r.Backend == backend).Select(r => r.Concurrency).Distinct().Order())
            {
                var direct = runs.Where(r => r.Backend == backend && r.Path == "direct" && r.Concurrency == c).SelectMany(r => r.PartMilliseconds).ToList();
                foreach (var path in new[] { "gateway", "gateway-before" })
                {
                    var gateway = runs.Where(r => r.Backend == backend && r.Path == path && r.Concurrency == c).ToList();
                    if (direct.Count > 0 && gateway.Count > 0)
                    {
                        var added = Stats.Median(gateway.SelectMany(r => r.PartMilliseconds)) - Stats.Median(direct);
                        // The targets are for 256 KiB parts at c = 1 and 4 (issue 14); other sizes get the figure alone.
                        double? target = gateway[0].PartSize == 256 * 1024 ? c switch { 1 => 0.5, 4 => 2, _ => null } : null;
                        var verdict = target is { } t ? $" (target ≤ {F(t, 1)} ms): {Verdict(added <= t)}" : "";
                        text.AppendLine(CultureInfo.InvariantCulture,
                            $"- {backend}: {path} added per-part latency p50 at c={c} is {F(added, 2)} ms for {BenchOptionsFormat(gateway[0].PartSize)} parts{verdict}");
                    }
                }
            }
            foreach (var path in new[] { "gateway", "gateway-spool" })
            {
                var at16 = runs.Where(r => r.Backend == backend && r.Path == path && r.Concurrency == 16).ToList();
                if (at16.Count > 0)
                {
                    var peak = at16.Max(r => r.GatewayRssPeak);
                    var warm = (peak - warmIdleRss) / MiB;
                    var cold = (peak - coldIdleRss) / MiB;
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"- {backend} ({path}): gateway RSS growth with 16 parts in flight is {F(warm, 0)} MiB over its warm idle baseline, {F(cold, 0)} MiB over its cold one (target < 100 MiB): {Verdict(warm < 100)} (warm), {Verdict(cold < 100)} (cold)");
                }
            }
        }
        return text.ToString();
    }

    private static string BenchOptionsFormat(long bytes) => Bench.BenchOptions.Format(bytes);

    private IEnumerable<List<RunResult>> Groups() =>
        runs.GroupBy(r => (r.Backend, r.Concurrency)).OrderBy(g => g.Key.Backend == "box").ThenBy(g => g.Key.Concurrency).Select(g => g.ToList());

    /// <summary>Each repetition's ratio to the direct run of the same repetition, which ran just before it.</summary>
    private static IEnumerable<double> Paired(IEnumerable<RunResult> these, IReadOnlyList<RunResult> direct) =>
        these.Select(r => (r, d: direct.FirstOrDefault(d => d.Repetition == r.Repetition)))
            .Where(p => p.d is not null)
            .Select(p => p.r.MegabytesPerSecond / p.d!.MegabytesPerSecond);

    private static string MockOf(string backend) => backend switch
    {
        "box" => "mock-box",
        "s3" => "rgw",
        _ => "mock-sandbox",
    };

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static string P(double ratio) => (100 * ratio).ToString("F0", CultureInfo.InvariantCulture) + "%";
}
