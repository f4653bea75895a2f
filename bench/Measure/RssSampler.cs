namespace Bench.Measure;

/// <summary>
/// Samples a process's <c>VmRSS</c> on its own thread while a run goes on, and reads <c>VmHWM</c> at the end
/// (reset at the start when the kernel allows it), so a peak shorter than the sampling period is still seen.
/// </summary>
internal sealed class RssSampler : IDisposable
{
    private readonly int _pid;
    private readonly TimeSpan _period;
    private readonly Thread _thread;
    private readonly bool _peakReset;
    private volatile bool _stop;
    private long _maxSampled;

    private RssSampler(int pid, TimeSpan period)
    {
        _pid = pid;
        _period = period;
        _peakReset = ProcFs.ResetPeak(pid);
        Before = ProcFs.Memory(pid)?.Rss ?? 0;
        _maxSampled = Before;
        _thread = new Thread(Loop) { IsBackground = true, Name = "rss-sampler" };
        _thread.Start();
    }

    /// <summary>VmRSS when the run started.</summary>
    public long Before { get; }

    public static RssSampler Start(int pid, TimeSpan period) => new(pid, period);

    /// <summary>Stops sampling: the highest resident set seen, from the samples and (when it was reset) <c>VmHWM</c>.</summary>
    public long Stop()
    {
        _stop = true;
        _thread.Join();
        var peak = Interlocked.Read(ref _maxSampled);
        if (_peakReset && ProcFs.Memory(_pid) is { } memory)
        {
            peak = Math.Max(peak, memory.Peak);
        }
        return peak;
    }

    private void Loop()
    {
        while (!_stop)
        {
            if (ProcFs.Memory(_pid) is { } memory && memory.Rss > _maxSampled)
            {
                Interlocked.Exchange(ref _maxSampled, memory.Rss);
            }
            Thread.Sleep(_period);
        }
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }
    }
}
