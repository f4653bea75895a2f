using System.Diagnostics;
using System.Globalization;

namespace Gateway.Tests.Support;

/// <summary>
/// A disk that fills up: a tmpfs of a few hundred KiB mounted for one test (mode 0700, as the gateway wants its
/// folders), which it can grow while mounted, as an operator makes room. Mounting needs root; without it the
/// tests that use one are skipped (<see cref="SmallDiskFactAttribute"/>).
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private static readonly Lazy<string?> CannotMount = new(Probe);

    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    /// <summary>Why no disk can be mounted here, or null when one can.</summary>
    public static string? WhyNot => CannotMount.Value;

    public static SmallDisk Mount(long bytes)
    {
        var path = Directory.CreateTempSubdirectory("small-disk-").FullName;
        Run("mount", "-t", "tmpfs", "-o", Options(bytes), "tmpfs", path);
        return new SmallDisk(path);
    }

    /// <summary>Makes room, the disk staying mounted with what it holds.</summary>
    public void Grow(long bytes) => Run("mount", "-o", "remount," + Options(bytes), Path);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static string Options(long bytes) => string.Create(CultureInfo.InvariantCulture, $"size={bytes},mode=0700");

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "mounting a small tmpfs needs root on Linux (.ci/run runs as root)";
        }
        try
        {
            Mount(64 * 1024).Dispose();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "a tmpfs could not be mounted here: " + e.Message;
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error.Trim()}");
        }
    }
}

/// <summary>A fact that fills a disk: skipped, with the reason shown, where no small tmpfs can be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.WhyNot is { } reason)
        {
            Skip = reason;
        }
    }
}
