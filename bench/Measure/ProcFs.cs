using System.Globalization;

namespace Bench.Measure;

/// <summary>
/// What Linux reports about a process and the machine (proc(5)): resident memory (<c>VmRSS</c>, and its
/// high-water mark <c>VmHWM</c>), CPU time, and the machine's busy time. Only reads, except
/// <see cref="ResetPeak"/>.
/// </summary>
internal static class ProcFs
{
    /// <summary>USER_HZ, the unit of proc(5)'s CPU times: 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>
    /// The resident set split into anonymous memory (GC heap, native heaps, stacks), mapped files (the pages of the
    /// runtime and assemblies that have been touched) and shared memory (where .NET's W^X double mapping keeps
    /// JIT-compiled code), in bytes; null once the process is gone.
    /// </summary>
    public static (long Anonymous, long Files, long Shared)? ResidentKinds(int pid)
    {
        try
        {
            long anonymous = -1, files = -1, shared = -1;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anonymous = Kilobytes(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    files = Kilobytes(line);
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shared = Kilobytes(line);
                }
            }
            return anonymous < 0 || files < 0 || shared < 0 ? null : (anonymous, files, shared);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Resident set and its peak since the process started (or since <see cref="ResetPeak"/>), in bytes; null once the process is gone.</summary>
    public static (long Rss, long Peak)? Memory(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        long rss = -1, peak = -1;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }
        return rss < 0 || peak < 0 ? null : (rss, peak);
    }

    /// <summary>
    /// Sets <c>VmHWM</c> back to the current <c>VmRSS</c> (proc(5), <c>/proc/pid/clear_refs</c>, value 5), so the
    /// peak of one run can be read afterwards. False where the kernel or permissions do not allow it.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>User plus system CPU time the process has used so far (fields 14 and 15 of <c>/proc/pid/stat</c>).</summary>
    public static TimeSpan CpuTime(int pid) => StatTicks(pid, 11);

    /// <summary>The same summed over the process and every live descendant (<c>/proc/pid/task/*/children</c>): a launcher script's daemons.</summary>
    public static TimeSpan TreeCpuTime(int pid)
    {
        var total = CpuTime(pid);
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    total += TreeCpuTime(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process or a child ended meanwhile: what is left is counted.
        }
        return total;
    }

    /// <summary>
    /// Context switches of every thread the process has now (voluntary and not, <c>/proc/pid/task/*/status</c>): how often
    /// it was woken and put to sleep, a count the machine's load does not change the way it changes CPU time.
    /// </summary>
    public static long ContextSwitches(int pid)
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
        }
        return total;
    }

    /// <summary>
    /// CPU time so far of each of the process's threads whose name (<c>/proc/pid/task/*/comm</c>) is <paramref name="name"/>,
    /// by thread id: the runtime names its workers (".NET Tiered Com" compiles hot methods again in the background).
    /// </summary>
    public static Dictionary<int, TimeSpan> ThreadCpuTimes(int pid, string name)
    {
        var times = new Dictionary<int, TimeSpan>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                    {
                        times[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                            TimeSpan.FromSeconds(FieldPair(File.ReadAllText(Path.Combine(task, "stat")), 11) / TicksPerSecond);
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
        }
        return times;
    }

    /// <summary>User plus system CPU time of the children the process has waited for (fields 16 and 17 of <c>/proc/pid/stat</c>).</summary>
    public static TimeSpan WaitedChildrenCpuTime(int pid) => StatTicks(pid, 13);

    private static TimeSpan StatTicks(int pid, int first)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
        return TimeSpan.FromSeconds(FieldPair(stat, first) / TicksPerSecond);
    }

    /// <summary>The sum of two adjacent fields of a <c>stat</c> file, counted after the command name (field 2), which may hold spaces and parentheses.</summary>
    private static long FieldPair(string stat, int first)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[first + 1], CultureInfo.InvariantCulture);
    }

    /// <summary>The machine's CPU time so far, busy and in total (all cores, first line of <c>/proc/stat</c>); steal counted apart.</summary>
    public static MachineCpu Machine()
    {
        var line = File.ReadLines("/proc/stat").First();
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        var idle = v[3] + v[4];
        var steal = v.Length > 7 ? v[7] : 0;
        var total = v.Take(8).Sum();
        return new MachineCpu(
            TimeSpan.FromSeconds((total - idle - steal) / TicksPerSecond),
            TimeSpan.FromSeconds(steal / TicksPerSecond),
            TimeSpan.FromSeconds(total / TicksPerSecond));
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

/// <summary>Machine-wide CPU time: busy (user, system, interrupts), stolen by the hypervisor, and everything.</summary>
internal readonly record struct MachineCpu(TimeSpan Busy, TimeSpan Steal, TimeSpan Total)
{
    public static MachineCpu operator -(MachineCpu a, MachineCpu b) => new(a.Busy - b.Busy, a.Steal - b.Steal, a.Total - b.Total);
}
