using Bench.Services;
using Bench.Uploads;

namespace Bench.Measure;

/// <summary>
/// Uploads a small file over every path through a gateway, round after round, until the gateways' runtimes have all but
/// stopped compiling in the background: their steady state, which is what the measured runs are about (nginx and
/// haproxy have no JIT to warm up).
/// </summary>
/// <remarks>
/// The runtime compiles a method again, optimised, on a background thread (".NET Tiered Com") once it has been called
/// often enough — with dynamic PGO twice, instrumented first, then optimised — and holds that back while methods are
/// still being compiled for the first time. On this project's 2-core VM a gateway uploading 32 MiB files one after the
/// other compiled 15,000 methods over its first 75 seconds, about 470 uploads, then a few every few seconds
/// (docs/BENCHMARKS.md, History, "The JIT's warm-up"). After the three full warm-up uploads alone it still compiled
/// hundreds to 1,400 methods every 3 seconds through the first measured runs, which then measured the JIT. So the
/// rounds go on until, over <see cref="WindowRounds"/> rounds at a time, the tiering threads took at most
/// <see cref="JitReading.QuietShare"/> of the gateways' CPU (8–24% while it is busy, 0 once settled).
/// </remarks>
internal static class JitWarmup
{
    /// <summary>Rounds per reading: /proc counts CPU in 10 ms ticks, and one round of small uploads is a few of them.</summary>
    public const int WindowRounds = 20;

    public const int MaxRounds = 1500;

    /// <summary>Runs the rounds; returns how many it took and whether the gateways' JIT was quiet at the end.</summary>
    public static async Task<(int Rounds, bool Quiet)> RunAsync(Runner runner, IReadOnlyList<(UploadPath Path, int Concurrency)> paths,
        IReadOnlyList<ChildProcess> gateways, int quietRounds, Action<string> log, CancellationToken cancellationToken)
    {
        var (round, quietSince) = (0, 0);
        while (round - quietSince < quietRounds && round < MaxRounds)
        {
            var reading = new JitReading(gateways);
            for (var i = 0; i < WindowRounds; i++)
            {
                foreach (var (path, concurrency) in paths)
                {
                    await runner.RunAsync(path, concurrency, 0, cancellationToken);
                }
            }
            round += WindowRounds;
            var (compiled, cpu) = (reading.Compiled, reading.Cpu);
            log($"JIT warm-up: round {round}, the gateways' background JIT {compiled.TotalSeconds:F2} s of their {cpu.TotalSeconds:F2} s");
            if (!JitReading.IsQuiet(compiled, cpu))
            {
                quietSince = round;
            }
        }
        return (round, round - quietSince >= quietRounds);
    }
}
