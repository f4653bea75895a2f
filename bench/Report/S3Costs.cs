using System.Globalization;
using System.Text;
using Bench.Measure;

namespace Bench.Report;

/// <summary>
/// Issue 24's view of a run with <c>--backends s3</c>: each path's CPU per GiB in the process between client and store,
/// the parts phase and the complete apart — on S3 the gateway checks a whole-object SHA-256 by reading the assembled
/// object back at complete, which the parts-phase figures elsewhere leave out — and the targets.
/// </summary>
/// <remarks>
/// Without a whole-object digest both paths do the same work (each part's SHA-256 is checked by the backend, the
/// gateway hashes nothing): the S3 path's parts and complete together at most the sandbox path's. With one, they do
/// not: the sandbox checks the whole object's SHA-256 itself (the mock's CPU), while no S3 store keeps a SHA-256 of a
/// multipart object (AWS offers full-object checksums of the CRC kinds only, RGW 16 none), so on S3 the gateway
/// hashes every byte once. There the target is the sandbox path's plus one SHA-256 pass at this machine's speed
/// (<see cref="Sha256Speed"/>): the read-back may cost the hash and nothing much beyond it.
/// </remarks>
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
        var sha256 = Sha256Speed.CpuSecondsPerGiB();
        text.AppendLine(CultureInfo.InvariantCulture, $"- One SHA-256 pass on this machine (OpenSSL, one core): {F(sha256, 2)} CPU-s/GiB");
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
                var whole = kind == "gateway";
                var floor = Stats.Median(sandbox.Select(Total)) + (whole ? sha256 : 0);
                var total = Stats.Median(s3.Select(Total)) / floor;
                var parts = Stats.Median(s3.Select(Parts)) / Stats.Median(sandbox.Select(Parts));
                var what = whole
                    ? $"with the whole object's SHA-256 at complete (read back), {label}: gateway CPU per GiB, parts + complete, {F(Stats.Median(s3.Select(Total)), 2)} against the sandbox path's {F(Stats.Median(sandbox.Select(Total)), 2)} + one SHA-256 pass {F(sha256, 2)}: {F(total, 2)} ×"
                    : $"without a whole-object digest at complete, {label}: gateway CPU per GiB, parts + complete, {F(total, 2)} × its sandbox path's";
                // The store's pace changes what a byte costs every process on the machine: the client sending the same
                // bytes the same way says by how much. The verdict stays on the raw ratio.
                var paced = Stats.Median(s3.Select(PartsPerClient)) / Stats.Median(sandbox.Select(PartsPerClient));
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"- S3 {what} (parts alone {F(parts, 2)} ×; each run's gateway ÷ client CPU, S3 against sandbox, {F(paced, 2)} ×; target ≤ 1.0 ×): {(total <= 1 ? "met" : "MISSED")}");
            }
        }
        return text.ToString();
    }

    private List<RunResult> Of(string backend, string kind, string client, bool before) =>
        [.. runs.Where(r => r.Backend == backend && r.Kind == kind && r.Client == client && r.Before == before)];

    private static double Parts(RunResult r) => r.CpuSeconds.GetValueOrDefault(r.Middle) / (r.Bytes / GiB);

    /// <summary>The gateway's CPU for the parts over the client's, in one run: what the gateway costs per byte the client costs.</summary>
    private static double PartsPerClient(RunResult r) => r.CpuSeconds.GetValueOrDefault(r.Middle) / r.CpuSeconds.GetValueOrDefault("client", double.NaN);

    private static double Complete(RunResult r) => r.MiddleCompleteCpuSeconds / (r.Bytes / GiB);

    private static double Total(RunResult r) => Parts(r) + Complete(r);

    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
