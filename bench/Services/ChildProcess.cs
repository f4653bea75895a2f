using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Bench.Services;

/// <summary>
/// A service the benchmark started: its process id (for /proc), where it listens, and the tail of its output
/// (shown when it fails). Every child is registered so that <see cref="KillAll"/> can stop whatever is left
/// when the benchmark is interrupted.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> s_running = new();

    private readonly Process _process;
    private readonly Queue<string> _tail = new();

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    /// <summary>A launcher whose work is done by its children (rgw.sh's daemons): its CPU is counted over its whole tree.</summary>
    public bool CountsChildren { get; private set; }

    /// <summary>The last lines the process wrote (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    /// <summary>
    /// Starts an ASP.NET Core service from its build output on an ephemeral loopback port and waits for Kestrel's
    /// "Now listening on" line.
    /// </summary>
    public static async Task<ChildProcess> StartDotnetAsync(string name, string dll, IReadOnlyDictionary<string, string> environment, string? cpus,
        CancellationToken cancellationToken)
    {
        if (!File.Exists(dll))
        {
            throw new BenchException($"{dll} does not exist: build the solution in Release first (dotnet build -c Release Gateway.sln).");
        }
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", "http://127.0.0.1:0" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        // Quiet services: per-request logging would be measured too. The lifetime line says where Kestrel listens.
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var child = Start(name, Pinned(info, cpus));
        var address = await child.WaitForLineAsync(Listening(), TimeSpan.FromSeconds(90), cancellationToken);
        child.BaseAddress = new Uri(address.Groups[1].Value.TrimEnd('/') + "/");
        return child;
    }

    /// <summary>A throwaway redis-server on a free loopback port: no snapshots, no append-only file.</summary>
    public static async Task<ChildProcess> StartRedisAsync(string executable, int port, string directory, string? cpus, CancellationToken cancellationToken,
        string name = "redis-server", bool cluster = false)
    {
        var info = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", directory, "--protected-mode", "yes" },
            WorkingDirectory = directory,
        };
        if (cluster)
        {
            // A cluster node: its slot map in its own folder; the bus listens on port + 10000.
            foreach (var argument in new[] { "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(directory, "nodes.conf") })
            {
                info.ArgumentList.Add(argument);
            }
        }
        var child = Start(name, Pinned(info, cpus));
        await child.WaitForLineAsync(RedisReady(), TimeSpan.FromSeconds(30), cancellationToken);
        child.BaseAddress = new Uri($"redis://127.0.0.1:{port}/");
        return child;
    }

    /// <summary>A plain proxy (haproxy, nginx) in the foreground; ready once it accepts connections on <paramref name="port"/>.</summary>
    public static async Task<ChildProcess> StartProxyAsync(string name, string executable, IEnumerable<string> arguments, int port, string? cpus,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var child = Start(name, Pinned(info, cpus));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline && !child.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (System.Net.Sockets.SocketException)
            {
                throw new BenchException($"{name} did not start:\n{child.Output}");
            }
        }
        child.BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        return child;
    }

    /// <summary>Any command (a launcher script): ready once it writes a line matching <paramref name="ready"/>; it serves at <paramref name="address"/>.</summary>
    public static async Task<ChildProcess> StartUntilLineAsync(string name, ProcessStartInfo info, Regex ready, Uri address, string? cpus,
        CancellationToken cancellationToken)
    {
        var child = Start(name, Pinned(info, cpus));
        await child.WaitForLineAsync(ready, TimeSpan.FromSeconds(90), cancellationToken);
        child.BaseAddress = address;
        child.CountsChildren = true;
        return child;
    }

    /// <summary>The same command under <c>taskset -c</c>, so every thread it ever starts stays on those cores.</summary>
    private static ProcessStartInfo Pinned(ProcessStartInfo info, string? cpus)
    {
        if (cpus is null)
        {
            return info;
        }
        var pinned = new ProcessStartInfo("taskset") { WorkingDirectory = info.WorkingDirectory };
        pinned.ArgumentList.Add("-c");
        pinned.ArgumentList.Add(cpus);
        pinned.ArgumentList.Add(info.FileName);
        foreach (var argument in info.ArgumentList)
        {
            pinned.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in info.Environment)
        {
            pinned.Environment[key] = value;
        }
        return pinned;
    }

    /// <summary>Stops every child still running (interrupted runs, process exit).</summary>
    public static void KillAll()
    {
        foreach (var (_, process) in s_running)
        {
            TryKill(process);
        }
    }

    private static ChildProcess Start(string name, ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BenchException($"Could not start {info.FileName}: {e.Message}");
        }
        child.Pid = process.Id;
        s_running[child.Pid] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private event Action<string>? Line;

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }
        Line?.Invoke(line);
    }

    private async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(string line)
        {
            if (pattern.Match(line) is { Success: true } match)
            {
                found.TrySetResult(match);
            }
        }
        Line += Check;
        _process.Exited += (_, _) => found.TrySetException(new BenchException($"{Name} exited with code {_process.ExitCode}:\n{Output}"));
        lock (_tail)
        {
            foreach (var line in _tail)
            {
                Check(line);
            }
        }
        try
        {
            return await found.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new BenchException($"{Name} did not start within {timeout.TotalSeconds:0} s:\n{Output}");
        }
        finally
        {
            Line -= Check;
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public ValueTask DisposeAsync()
    {
        TryKill(_process);
        s_running.TryRemove(Pid, out _);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"Ready to accept connections")]
    private static partial Regex RedisReady();
}
