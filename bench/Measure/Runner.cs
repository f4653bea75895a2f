using System.Diagnostics;
using Bench.Services;
using Bench.Uploads;

namespace Bench.Measure;

/// <summary>
/// Uploads the file once over one path with a fixed number of parts in flight, and measures it: throughput over
/// the parts phase, each part's latency, the gateway's resident memory, and the CPU time of every process.
/// </summary>
internal sealed class Runner(ServiceStack stack, TimeSpan samplePeriod)
{
    public async Task<RunResult> RunAsync(UploadPath path, int concurrency, int repetition, CancellationToken cancellationToken)
    {
        var session = await path.CreateAsync(cancellationToken);
        (long At, Dictionary<string, TimeSpan> Cpu, MachineCpu Machine)? lastBodySent = null;
        session.LastBodySent = () => lastBodySent = (Stopwatch.GetTimestamp(), CpuTimes(), ProcFs.Machine());
        var latencies = new double[session.PartCount];
        var next = -1;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Worker()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < session.PartCount)
            {
                var sent = Stopwatch.GetTimestamp();
                await session.PutPartAsync(path.Http, index, failed.Token);
                latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            }
        }

        async Task Guarded()
        {
            try
            {
                await Worker();
            }
            catch
            {
                // One part failing ends the run: the others need not finish.
                await failed.CancelAsync();
                throw;
            }
        }

        // curl's configuration and the parts' files are written before the timing starts.
        var curl = path.Client.Curl ? CurlParts.Prepare(session, path.File) : null;
        var through = stack.Process(path.Middle);
        var switchesBefore = through is null ? 0 : ProcFs.ContextSwitches(through.Pid);
        var cpuBefore = CpuTimes();
        var machineBefore = ProcFs.Machine();
        // The gateway the path goes through (the plain proxies' runs sample the idle gateway, as before).
        var sampled = stack.Process(path.Middle) is { } middle && middle.Name.StartsWith("gateway", StringComparison.Ordinal) ? middle : stack.Gateway;
        using var rss = RssSampler.Start(sampled.Pid, samplePeriod);
        var started = Stopwatch.GetTimestamp();
        if (curl is not null)
        {
            try
            {
                await curl.RunAsync(concurrency, latencies, cancellationToken);
            }
            finally
            {
                curl.Delete();
            }
        }
        else
        {
            var workers = Enumerable.Range(0, Math.Min(concurrency, session.PartCount)).Select(_ => Task.Run(Guarded)).ToArray();
            try
            {
                await Task.WhenAll(workers);
            }
            catch when (workers.FirstOrDefault(w => w.IsFaulted && w.Exception!.InnerException is not OperationCanceledException) is { } first)
            {
                // Report the part that failed, not one that was cancelled because of it.
                throw first.Exception!.InnerException!;
            }
        }
        var ended = Stopwatch.GetTimestamp();
        var cpuEnded = CpuTimes();
        var peak = rss.Stop();
        var machineEnded = ProcFs.Machine();
        // A commit inside the last part's request (tus) is timed with the complete, not the parts phase.
        var (partsEnded, partsCpu, partsMachine) = lastBodySent ?? (ended, cpuEnded, machineEnded);
        var machine = partsMachine - machineBefore;
        var elapsed = Stopwatch.GetElapsedTime(started, partsEnded);
        var cpu = partsCpu.ToDictionary(p => p.Key, p => (p.Value - cpuBefore[p.Key]).TotalSeconds);
        var commitInLastPart = Stopwatch.GetElapsedTime(partsEnded, ended);
        var commitInLastPartCpu = through is null ? 0 : (cpuEnded[through.Name] - partsCpu[through.Name]).TotalSeconds;
        if (lastBodySent is not null)
        {
            // The last part's latency likewise ends with its body (its answer waited for the commit).
            latencies[^1] -= commitInLastPart.TotalMilliseconds;
        }
        var switches = through is null ? 0 : ProcFs.ContextSwitches(through.Pid) - switchesBefore;

        // The complete's own CPU in the process between client and store (S3: the gateway reads the object back to check a
        // whole-object digest), apart from the parts phase's.
        var completeCpuBefore = through is null ? TimeSpan.Zero : ProcFs.CpuTime(through.Pid);
        var completing = Stopwatch.GetTimestamp();
        await session.CompleteAsync(cancellationToken);
        var complete = Stopwatch.GetElapsedTime(completing) + commitInLastPart;
        var completeCpu = (through is null ? 0 : (ProcFs.CpuTime(through.Pid) - completeCpuBefore).TotalSeconds) + commitInLastPartCpu;

        return new RunResult
        {
            Backend = path.Backend,
            Path = path.Name,
            Kind = path.BaseName,
            Client = path.Client.Name,
            Before = path.Before,
            Middle = path.Middle ?? "gateway",
            Concurrency = concurrency,
            Repetition = repetition,
            Bytes = session.Length,
            PartSize = session.PartSize,
            PartsSeconds = elapsed.TotalSeconds,
            PartMilliseconds = latencies,
            CompleteMilliseconds = complete.TotalMilliseconds,
            MiddleCompleteCpuSeconds = completeCpu,
            GatewayRssBefore = rss.Before,
            GatewayRssPeak = peak,
            CpuSeconds = cpu,
            MiddleContextSwitches = switches,
            MachineBusySeconds = machine.Busy.TotalSeconds,
            MachineStealSeconds = machine.Steal.TotalSeconds,
        };
    }

    private Dictionary<string, TimeSpan> CpuTimes()
    {
        var times = stack.All.ToDictionary(c => c.Name, c => c.CountsChildren ? ProcFs.TreeCpuTime(c.Pid) : ProcFs.CpuTime(c.Pid));
        // The benchmark and the children it has waited for: curl, when it is the client.
        times["client"] = ProcFs.CpuTime(Environment.ProcessId) + ProcFs.WaitedChildrenCpuTime(Environment.ProcessId);
        return times;
    }
}
