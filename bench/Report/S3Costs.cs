using System.Globalization;
using System.Text;
using Bench.Measure;

namespace Bench.Report;

/// <summary>
/// Issue 24's view of a run with <c>--backends s3</c>: each path's CPU per GiB in the process between client and store,
/// the parts phase and the complete apart — on S3 the gateway checks a whole-object SHA-256 by reading the assembled
/// object back at complete, which the parts-phase figures elsewhere leave out — and the target: the gateway's CPU per
/// GiB on the S3 path at most its sandbox path's in the same run, parts and complete together.
/// </summary>
internal sealed class S3Costs(IReadOnlyList<RunResult> runs)
{
    private const double GiB = 1024.0 * 1024 * 1024;

    public bool Any => runs.Any(r => r.Backend == "s3");

    public string Table()
    {
        var table = new MarkdownTable("backend", "path", "client", "c", "MB/s", "parts CPU s/GiB [min–max]", "complete CPU s/GiB", "complete ms", "parts + complete s/GiB");
        foreach (var row in runs.Where(r => r.Kind != "direct" && r.Backend is "s3" or "sandbox").GroupBy(r => (r.Backend, r.Path)).Select(g => g.ToList()))
        {
            var first = row[0];
            table.Add(first.Backend, first.Path, first.Client, string.Join(",", row.Select(r => r.Concurrency).Distinct().Order()),
                F(Stats.Median(row.Select(r => r.MegabytesPerSecond)), 0),
                $"{F(Stats.Median(row.Select(Parts)), 2)} [{F(row.Min(Parts), 2)}–{F(row.Max(Parts), 2)}]",
                F(Stats.Median(row.Select(Complete)), 2), F(Stats.Median(row.Select(r => r.CompleteMilliseconds)), 0),
                F(Stats.Median(row.Select(Total)), 2));
        }
        return table.ToString();
    }

    public string Targets()
    {
        var text = new StringBuilder();
        foreach (var (client, before) in runs.Where(r => r.Backend == "s3").Select(r => (r.Client, r.Before)).Distinct())
        {
            var sandbox = Of("sandbox", "gateway", client, before);
            var label = $"client {client}{(before ? " (before)" : "")}";
            foreach (var kind in new[] { "gateway", "gateway-nowhole" })
            {
                var s3 = Of("s3", kind, client, before);
                if (s3.Count == 0 || sandbox.Count == 0)
                {
                    continue;
                }
                var total = Stats.Median(s3.Select(Total)) / Stats.Median(sandbox.Select(Total));
                var parts = Stats.Median(s3.Select(Parts)) / Stats.Median(sandbox.Select(Parts));
                var what = kind == "gateway" ? "with the whole object's SHA-256 at complete (read back)" : "without a whole-object digest at complete";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"- S3 {what}, {label}: gateway CPU per GiB, parts + complete, {F(total, 2)} × its sandbox path's (parts alone {F(parts, 2)} ×; target ≤ 1.0 ×): {(total <= 1 ? "met" : "MISSED")}");
            }
        }
        return text.ToString();
    }

    private List<RunResult> Of(string backend, string kind, string client, bool before) =>
        [.. runs.Where(r => r.Backend == backend && r.Kind == kind && r.Client == client && r.Before == before)];

    private static double Parts(RunResult r) => r.CpuSeconds.GetValueOrDefault(r.Middle) / (r.Bytes / GiB);

    private static double Complete(RunResult r) => r.MiddleCompleteCpuSeconds / (r.Bytes / GiB);

    private static double Total(RunResult r) => Parts(r) + Complete(r);

    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
