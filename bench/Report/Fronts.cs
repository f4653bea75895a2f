using System.Globalization;
using System.Text;
using Bench.Measure;

namespace Bench.Report;

/// <summary>
/// Issue 27's view of a run: one row per front (and client) with its CPU per GiB beside nginx's and haproxy's in the
/// same run, and each of the issue's targets as met or missed. Every figure is a ratio of runs taken side by side, the
/// only kind the shared machine lets one compare (docs/BENCHMARKS.md).
/// </summary>
internal sealed class Fronts(IReadOnlyList<RunResult> runs)
{
    private const double GiB = 1024.0 * 1024 * 1024;

    public string Table()
    {
        var table = new MarkdownTable("backend", "front", "client", "c", "MB/s", "CPU s/GiB [min–max]", "nginx s/GiB", "haproxy s/GiB", "÷ cheaper proxy", "context switches per MiB");
        foreach (var row in runs.Where(r => r.Kind != "direct").GroupBy(r => (r.Backend, r.Path)).Select(g => g.ToList()))
        {
            var first = row[0];
            var concurrencies = row.Select(r => r.Concurrency).Distinct().Order().ToList();
            var cpu = CpuPerGiB(row);
            var nginx = Proxy("nginx", first, concurrencies);
            var haproxy = Proxy("haproxy", first, concurrencies);
            var cheaper = Math.Min(nginx ?? double.PositiveInfinity, haproxy ?? double.PositiveInfinity);
            table.Add(first.Backend, first.Kind + (first.Before ? " (before)" : ""), first.Client, string.Join(",", concurrencies),
                F(Stats.Median(row.Select(r => r.MegabytesPerSecond)), 0), $"{F(cpu, 2)} [{F(row.Min(PerGiB), 2)}–{F(row.Max(PerGiB), 2)}]", nginx is { } n ? F(n, 2) : "", haproxy is { } h ? F(h, 2) : "",
                // A proxy that used no measurable CPU (ticks of 10 ms on a short run) gives no ratio.
                cheaper is 0 or double.PositiveInfinity || first.Kind is "nginx" or "haproxy" ? "" : F(cpu / cheaper, 2) + " ×",
                F(Stats.Median(row.Select(r => r.MiddleContextSwitches / (r.Bytes / (1024.0 * 1024)))), 1));
        }
        return table.ToString();
    }

    public string Targets()
    {
        var text = new StringBuilder();
        foreach (var before in new[] { false, true })
        {
            var label = before ? " (before)" : "";
            foreach (var (backend, client) in runs.Select(r => (r.Backend, r.Client)).Distinct())
            {
                var gateway = Of(backend, "gateway", client, before);
                if (gateway.Count > 0)
                {
                    var concurrencies = gateway.Select(r => r.Concurrency).Distinct().ToList();
                    var cheaper = new[] { Proxy("nginx", gateway[0], concurrencies), Proxy("haproxy", gateway[0], concurrencies) }.OfType<double>().DefaultIfEmpty().Min();
                    // The project's client writes 256 KiB; every other client's target is the plain proxy's cost itself.
                    var factor = client == "dotnet" ? 0.8 : 1.0;
                    if (cheaper > 0)
                    {
                        var ratio = CpuPerGiB(gateway) / cheaper;
                        Line(text, $"v1 {backend}, client {client}{label}: gateway CPU per GiB {F(ratio, 2)} × the cheaper plain proxy's (target ≤ {F(factor, 1)} ×)", ratio <= factor);
                    }
                    var nginx = Of(backend, "nginx", client, false);
                    foreach (var c in concurrencies.Where(c => c > 1 && nginx.Any(n => n.Concurrency == c)))
                    {
                        var ratio = Stats.Median(Paired(gateway.Where(r => r.Concurrency == c), nginx.Where(r => r.Concurrency == c)));
                        Line(text, $"v1 {backend}, client {client}{label}: gateway throughput at c={c} {F(ratio, 2)} × nginx's (target ≥ 1.0 ×)", ratio >= 1);
                    }
                    SmallParts(text, backend, client, before, gateway);
                }
                var tus = Of(backend, "tus", client, before);
                var peer = Of("file-store", "tus-peer", client, false);
                if (tus.Count > 0 && peer.Count > 0)
                {
                    var speed = Stats.Median(tus.Select(r => r.MegabytesPerSecond)) / Stats.Median(peer.Select(r => r.MegabytesPerSecond));
                    Line(text, $"tus {backend}, client {client}{label}: throughput {F(speed, 2)} × @tus/server's (target ≥ 1.0 ×)", speed >= 1);
                    var cpu = CpuPerGiB(tus) / CpuPerGiB(peer);
                    Line(text, $"tus {backend}, client {client}{label}: CPU per GiB {F(cpu, 2)} × @tus/server's (target ≤ 1.0 ×)", cpu <= 1);
                }
                if (tus.Count > 0 && gateway.Count > 0)
                {
                    var cpu = CpuPerGiB(tus) / CpuPerGiB(gateway);
                    Line(text, $"tus {backend}, client {client}{label}: CPU per GiB {F(cpu, 2)} × the v1 path's (target ≤ 1.5 ×)", cpu <= 1.5);
                }
                var box = Of(backend, "box-front", client, before);
                if (box.Count > 0 && gateway.Count > 0)
                {
                    var cpu = CpuPerGiB(box) / CpuPerGiB(gateway);
                    Line(text, $"Box front, client {client}{label}: CPU per GiB {F(cpu, 2)} × the v1 Box path's (target ≤ 1.2 ×)", cpu <= 1.2);
                }
            }
        }
        return text.ToString();
    }

    /// <summary>256 KiB parts at c = 1: the gateway's added p50 at most nginx's added p50 + 0.3 ms, both against the same direct runs.</summary>
    private void SmallParts(StringBuilder text, string backend, string client, bool before, List<RunResult> gateway)
    {
        var at1 = gateway.Where(r => r.Concurrency == 1 && r.PartSize == 256 * 1024).ToList();
        var direct = Of(backend, "direct", client, false).Where(r => r.Concurrency == 1).SelectMany(r => r.PartMilliseconds).ToList();
        var nginx = Of(backend, "nginx", client, false).Where(r => r.Concurrency == 1).SelectMany(r => r.PartMilliseconds).ToList();
        if (at1.Count == 0 || direct.Count == 0 || nginx.Count == 0)
        {
            return;
        }
        var added = Stats.Median(at1.SelectMany(r => r.PartMilliseconds)) - Stats.Median(direct);
        var nginxAdded = Stats.Median(nginx) - Stats.Median(direct);
        Line(text, $"small parts {backend}, client {client}{(before ? " (before)" : "")}: 256 KiB at c=1, gateway added p50 {F(added, 2)} ms, nginx's {F(nginxAdded, 2)} ms (target ≤ nginx + 0.3 ms)",
            added <= nginxAdded + 0.3);
    }

    private List<RunResult> Of(string backend, string kind, string client, bool before) =>
        [.. runs.Where(r => r.Backend == backend && r.Kind == kind && r.Client == client && r.Before == before)];

    /// <summary>A plain proxy's CPU per GiB with the same backend and client, at the concurrencies the row ran (or all it ran).</summary>
    private double? Proxy(string proxy, RunResult like, IReadOnlyCollection<int> concurrencies)
    {
        var all = Of(like.Backend, proxy, like.Client, false);
        var same = all.Where(r => concurrencies.Contains(r.Concurrency)).ToList();
        return (same.Count > 0 ? same : all) is { Count: > 0 } chosen ? CpuPerGiB(chosen) : null;
    }

    private static double CpuPerGiB(IEnumerable<RunResult> these) => Stats.Median(these.Select(PerGiB));

    private static double PerGiB(RunResult r) => r.CpuSeconds.GetValueOrDefault(r.Middle) / (r.Bytes / GiB);

    private static IEnumerable<double> Paired(IEnumerable<RunResult> these, IEnumerable<RunResult> baseline) =>
        these.Select(r => (r, b: baseline.FirstOrDefault(b => b.Repetition == r.Repetition)))
            .Where(p => p.b is not null)
            .Select(p => p.r.MegabytesPerSecond / p.b!.MegabytesPerSecond);

    private static void Line(StringBuilder text, string what, bool met) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"- {what}: {(met ? "met" : "MISSED")}");

    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
