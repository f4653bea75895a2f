using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AppHost.Tests.Support;
using TestSupport;

namespace AppHost.Tests;

/// <summary>
/// <c>./run</c> as a user runs it: it builds, starts the AppHost, says Ready once the gateway answers /readyz on
/// 5080, and on Ctrl-C (SIGINT to its whole process group, as a terminal sends it) or TERM leaves nothing running.
/// It needs the README's fixed ports, so it is skipped, with the reason, while something else holds one of them.
/// </summary>
[Collection(nameof(WholeSystem))]
public sealed partial class RunScriptTests
{
    private static readonly int[] Ports = [5080, 5081, 5082, 5090, 18888, 18889, 18890];

    [RunScriptFact]
    public async Task Run_serves_the_gateway_on_5080_and_the_dashboard_and_ctrl_c_leaves_nothing_running()
    {
        // A shell that ignores SIGINT hands that on to every child; a terminal's Ctrl-C is then impossible to
        // imitate, and TERM (which ./run treats the same) is what can be sent.
        var signal = SigIntIgnoredHere() ? "TERM" : "INT";
        var runId = Guid.NewGuid().ToString("N");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var info = new ProcessStartInfo("setsid") // its own process group, as a terminal's foreground job has
        {
            WorkingDirectory = SharedSpecs.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("./run");
        info.Environment["RUN_ID"] = runId;
        info.Environment["RUN_CONFIGURATION"] = configuration;
        info.Environment.Remove("Gateway__Store__Redis");
        info.Environment.Remove("GATEWAY_STORE");

        using var run = Process.Start(info)!;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.Contains("Ctrl-C stops everything.", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        run.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
        try
        {
            var exited = run.WaitForExitAsync();
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(6)));
            Assert.True(first == ready.Task, "./run did not say Ready:\n" + Output());

            using var http = new HttpClient();
            using (var readyz = await http.GetAsync(new Uri("http://127.0.0.1:5080/readyz")))
            {
                Assert.True(readyz.IsSuccessStatusCode, $"/readyz through 5080: {(int)readyz.StatusCode}");
            }
            var login = DashboardLogin().Match(Output());
            Assert.True(login.Success, "./run printed no dashboard login URL:\n" + Output());
            using (var dashboard = await http.GetAsync(new Uri(login.Value)))
            {
                Assert.True(dashboard.IsSuccessStatusCode, $"{login.Value}: {(int)dashboard.StatusCode}");
            }
            Assert.NotEmpty(Orchestrator.ProcessesWith("UPLOAD_GATEWAY_RUN", runId));

            Signal(signal, -run.Id);
            first = await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(2)));
            Assert.True(first == exited, $"./run was still running two minutes after SIG{signal}:\n" + Output());
            Assert.Equal(signal == "INT" ? 130 : 143, run.ExitCode);
            Assert.Contains("stopped: nothing of this run is left running", Output());
            // ./run waits for them itself: nothing may be left by the time it has exited.
            var left = Orchestrator.ProcessesWith("UPLOAD_GATEWAY_RUN", runId);
            Assert.True(left.Count == 0, $"still running after ./run exited:\n{string.Join("\n", left)}\n{Output()}");
            Assert.All(Ports, port => Assert.False(Listening(port), $"port {port} still answers after ./run exited"));
        }
        finally
        {
            if (!run.HasExited)
            {
                Signal("TERM", -run.Id);
                await run.WaitForExitAsync();
            }
            foreach (var survivor in Orchestrator.ProcessesWith("UPLOAD_GATEWAY_RUN", runId))
            {
                Signal("KILL", int.Parse(survivor.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    internal static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool SigIntIgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var ignored = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (ignored & (1UL << (2 - 1))) != 0;
    }

    private static void Signal(string signal, int target)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, "--", target.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:18888/login\?t=[0-9a-f]{32}")]
    private static partial Regex DashboardLogin();
}

/// <summary>Skipped, with the reason, where the orchestrator cannot start or one of ./run's fixed ports is taken.</summary>
public sealed class RunScriptFactAttribute : FactAttribute
{
    public RunScriptFactAttribute()
    {
        if (Orchestrator.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (new[] { 5080, 5081, 5082, 5090, 18888, 18889, 18890 }.FirstOrDefault(RunScriptTests.Listening) is var taken and not 0)
        {
            Skip = $"port {taken} on 127.0.0.1 is in use (a ./run already running?), and ./run needs it.";
        }
    }
}
