using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using TestSupport;
using UploadGateway.Cli;

namespace Client.Tests.Support;

/// <summary>What one run of the CLI printed and how it exited.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout as the one JSON document <c>--json</c> promises.</summary>
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The <c>upload</c> CLI two ways: in this process (<see cref="InProcessAsync"/>: fast, for exit codes and
/// output) and as its own operating-system process (<see cref="StartProcess"/>: the built <c>upload.dll</c>
/// under <c>dotnet</c>, configured only through <c>GATEWAY_URL</c>/<c>GATEWAY_API_KEY</c>, killable).
/// </summary>
public static class CliRun
{
    public static async Task<CliResult> InProcessAsync(Dictionary<string, string?> variables, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        var environment = new CliEnvironment(console, stderr, name => variables.GetValueOrDefault(name), Interactive: false);
        var exitCode = await UploadGateway.Cli.Cli.RunAsync(args, environment);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static CliProcess StartProcess(IReadOnlyDictionary<string, string?> variables, params string[] args) => new(variables, args);

    public static async Task<CliResult> ProcessAsync(IReadOnlyDictionary<string, string?> variables, params string[] args)
    {
        using var process = StartProcess(variables, args);
        return await process.WaitAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>The CLI project's own build output, in the configuration these tests were built in.</summary>
    public static string UploadDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(SharedSpecs.RepositoryRoot, "cli", "bin", configuration, "net10.0", "upload.dll");
        }
    }
}

/// <summary>A running <c>upload</c> process; output is collected as it comes.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal CliProcess(IReadOnlyDictionary<string, string?> variables, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliRun.UploadDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Only what the test gives: a developer's own GATEWAY_* must not leak in.
        info.Environment.Remove("GATEWAY_URL");
        info.Environment.Remove("GATEWAY_API_KEY");
        foreach (var (name, value) in variables)
        {
            info.Environment[name] = value;
        }
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Exited += (_, _) => _exited.TrySetResult();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"upload did not finish within {timeout}:\n{Stdout}\n{Stderr}");
        }
        // Exited fires before the last asynchronous reads are in; WaitForExit() drains them.
        await _process.WaitForExitAsync();
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Ctrl-C: SIGINT, which the CLI answers by stopping cleanly.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Dies at once (SIGKILL), as a crashed machine or an OOM kill would: no cleanup, connections cut.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
