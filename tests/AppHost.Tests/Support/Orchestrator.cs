using System.Reflection;
using System.Text;

namespace AppHost.Tests.Support;

/// <summary>Whether Aspire's orchestrator (DCP) can run here: its executable, named in the AppHost's build, exists.</summary>
public static class Orchestrator
{
    public static string? SkipReason { get; } = FindSkipReason();

    private static string? FindSkipReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "these tests find what a run left behind through /proc, so they run on Linux only.";
        }
        var dcp = Assembly.Load("AppHost")
            .GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "dcpclipath")?.Value;
        return dcp is not null && File.Exists(dcp)
            ? null
            : $"Aspire's orchestrator (DCP) is not installed for this platform (looked for '{dcp ?? "no dcpclipath in AppHost.dll"}'), so the AppHost cannot start.";
    }

    /// <summary>
    /// Processes whose environment holds <paramref name="variable"/>=<paramref name="value"/>: everything a run
    /// started, wherever the orchestrator parented it (it passes its environment on).
    /// </summary>
    public static IReadOnlyList<string> ProcessesWith(string variable, string value)
    {
        var wanted = Encoding.UTF8.GetBytes($"{variable}={value}");
        var found = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(folder);
            if (!pid.All(char.IsAsciiDigit) || pid == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                continue;
            }
            try
            {
                var environment = File.ReadAllBytes(Path.Combine(folder, "environ"));
                if (Contains(environment, wanted))
                {
                    var command = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ').Trim();
                    found.Add($"{pid} {command}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    private static bool Contains(byte[] environment, byte[] wanted)
    {
        foreach (var range in environment.AsSpan().Split((byte)0))
        {
            if (environment.AsSpan(range).SequenceEqual(wanted))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Polls until no process carries the marker; the processes still carrying it after <paramref name="patience"/>.</summary>
    public static async Task<IReadOnlyList<string>> WaitUntilNoneWithAsync(string variable, string value, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var left = ProcessesWith(variable, value);
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }
            await Task.Delay(250);
        }
    }
}

/// <summary>A fact that needs the orchestrator; skipped, with the reason shown, where it cannot start.</summary>
public sealed class OrchestratorFactAttribute : FactAttribute
{
    public OrchestratorFactAttribute()
    {
        if (Orchestrator.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Both suites start the whole system; one at a time on two shared cores.</summary>
[CollectionDefinition(nameof(WholeSystem), DisableParallelization = true)]
public sealed class WholeSystem;
