using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bench.Services;

/// <summary>
/// The <c>tus-peer</c> path's server: @tus/server with @tus/file-store (bench/tus-peer), which only writes files to
/// its data folder. The benchmark installs it from npm into bench/tus-peer/node_modules (npm ci, the versions of
/// its package-lock.json) the first time the path is asked for, and starts it like the other services.
/// </summary>
internal static class TusPeerServer
{
    public static async Task<ChildProcess> StartAsync(string repository, string data, string? cpus, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(repository, "bench", "tus-peer");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@tus", "server")))
        {
            await InstallAsync(folder, cancellationToken);
        }
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var child = await ChildProcess.StartProxyAsync("tus-peer", "node",
            [Path.Combine(folder, "server.mjs"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), data], port, cpus, cancellationToken);
        return child;
    }

    private static async Task InstallAsync(string folder, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"installing @tus/server into {folder} (npm ci)…");
        var info = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--silent" })
        {
            info.ArgumentList.Add(argument);
        }
        using var npm = Process.Start(info) ?? throw new BenchException("Could not run npm (apt-get install -y npm).");
        var errors = npm.StandardError.ReadToEndAsync(cancellationToken);
        await npm.StandardOutput.ReadToEndAsync(cancellationToken);
        await npm.WaitForExitAsync(cancellationToken);
        if (npm.ExitCode != 0)
        {
            throw new BenchException($"npm ci in {folder} failed: {await errors}");
        }
    }
}
