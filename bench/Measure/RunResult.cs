namespace Bench.Measure;

/// <summary>One measured upload of the whole file: one backend, one path, one concurrency, one repetition.</summary>
internal sealed record RunResult
{
    public required string Backend { get; init; }

    public required string Path { get; init; }

    /// <summary>The path without its client and build (gateway, nginx, tus-peer…).</summary>
    public required string Kind { get; init; }

    /// <summary>Who sent the parts: dotnet (the benchmark's own client), w8KiB (the same, small writes), curl.</summary>
    public required string Client { get; init; }

    /// <summary>Through the --compare-repo build.</summary>
    public required bool Before { get; init; }

    /// <summary>The process whose CPU is the path's cost: the proxy, the gateway (idle on direct runs), tus-peer.</summary>
    public required string Middle { get; init; }

    public required int Concurrency { get; init; }

    public required int Repetition { get; init; }

    public required long Bytes { get; init; }

    public required long PartSize { get; init; }

    /// <summary>From the first part's request to the last part's answer (create and complete are not in it).</summary>
    public required double PartsSeconds { get; init; }

    /// <summary>Each part's latency, request sent to answer read, in milliseconds, by part index.</summary>
    public required double[] PartMilliseconds { get; init; }

    public required double CompleteMilliseconds { get; init; }

    /// <summary>CPU seconds the middle process used during the complete (the S3 check's read-back, when there is one).</summary>
    public double MiddleCompleteCpuSeconds { get; init; }

    /// <summary>The gateway's VmRSS when the run started, and the highest seen during it (bytes).</summary>
    public required long GatewayRssBefore { get; init; }

    public required long GatewayRssPeak { get; init; }

    /// <summary>CPU seconds each process used during the parts phase ("client" is the benchmark itself).</summary>
    public required Dictionary<string, double> CpuSeconds { get; init; }

    /// <summary>CPU seconds the whole machine was busy, and lost to the hypervisor, during the parts phase (all cores).</summary>
    /// <summary>Context switches of the middle process's threads during the parts phase (0 on direct runs).</summary>
    public required long MiddleContextSwitches { get; init; }

    public required double MachineBusySeconds { get; init; }

    public required double MachineStealSeconds { get; init; }

    /// <summary>Megabytes (10^6 bytes) per second over the parts phase.</summary>
    public double MegabytesPerSecond => Bytes / PartsSeconds / 1e6;

    public double P50 => Stats.Quantile(PartMilliseconds, 0.50);

    public double P99 => Stats.Quantile(PartMilliseconds, 0.99);

    /// <summary>CPU used by the machine's other processes (other sessions, the kernel's own threads), as a share of one core.</summary>
    public double OtherCpuPercent => 100 * (MachineBusySeconds - CpuSeconds.Values.Sum()) / PartsSeconds;

    public double CpuPercent(string process) => CpuSeconds.TryGetValue(process, out var seconds) ? 100 * seconds / PartsSeconds : 0;
}
