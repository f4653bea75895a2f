using Bench.Services;

namespace Bench.Measure;

/// <summary>
/// How much of the gateways' CPU their runtimes' background compiler (the thread ".NET Tiered Com") took since this
/// reading began: the warm-ups wait for it to fall quiet, and every report says what it took in the measured runs.
/// </summary>
internal sealed class JitReading(IReadOnlyList<ChildProcess> gateways)
{
    public const string TieringThread = ".NET Tiered Com";

    /// <summary>At most this share of the gateways' CPU is a quiet JIT: settled, the runtime still compiles a few methods every few seconds.</summary>
    public const double QuietShare = 0.05;

    private readonly IReadOnlyList<Dictionary<int, TimeSpan>> _tiering = gateways.Select(gateway => ProcFs.ThreadCpuTimes(gateway.Pid, TieringThread)).ToList();

    private readonly TimeSpan _cpu = CpuTime(gateways);

    /// <summary>
    /// The tiering threads' CPU since the reading began. The runtime ends such a thread after a few idle seconds and
    /// starts another when there is work again, so a thread is compared with itself and a new one counts whole.
    /// </summary>
    public TimeSpan Compiled => TimeSpan.FromTicks(gateways.Select((gateway, i) => ProcFs.ThreadCpuTimes(gateway.Pid, TieringThread)
        .Sum(thread => (thread.Value - _tiering[i].GetValueOrDefault(thread.Key)).Ticks)).Sum());

    /// <summary>The gateways' whole CPU since the reading began.</summary>
    public TimeSpan Cpu => CpuTime(gateways) - _cpu;

    public bool Quiet => IsQuiet(Compiled, Cpu);

    public static bool IsQuiet(TimeSpan compiled, TimeSpan cpu) => compiled <= QuietShare * cpu;

    private static TimeSpan CpuTime(IReadOnlyList<ChildProcess> gateways) => TimeSpan.FromTicks(gateways.Sum(gateway => ProcFs.CpuTime(gateway.Pid).Ticks));
}
