using System.Diagnostics;
using System.Text.Json;
using TestSupport;

namespace Gateway.Tests.Api.Box;

/// <summary>
/// Box's official Node SDKs (tests/box-sdk: box-node-sdk 10 and the legacy 3), installed from npm once per test
/// run, each driven by <c>upload.js</c> as a child process against a gateway on loopback.
/// </summary>
internal static class BoxSdk
{
    private static readonly SemaphoreSlim s_install = new(1, 1);
    private static bool s_installed;

    public static string Folder => Path.Combine(SharedSpecs.RepositoryRoot, "tests", "box-sdk");

    /// <summary>Uploads <paramref name="file"/> with the SDK (<c>v10</c> or <c>v3</c>) and returns the committed file it reports.</summary>
    public static async Task<JsonElement> UploadAsync(string sdk, Uri gateway, string token, string file, string folderId, string fileName)
    {
        await InstallAsync();
        var (code, output, errors) = await RunAsync("node", ["upload.js", sdk, gateway.ToString().TrimEnd('/'), file, folderId, fileName], token);
        Assert.True(code == 0, $"box-node-sdk {sdk} failed ({code}):\n{errors}\n{output}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static async Task InstallAsync()
    {
        await s_install.WaitAsync();
        try
        {
            if (s_installed)
            {
                return;
            }
            if (!Directory.Exists(Path.Combine(Folder, "node_modules", "box-node-sdk")) || !Directory.Exists(Path.Combine(Folder, "node_modules", "box-node-sdk-v3")))
            {
                // package-lock.json pins both SDKs; npm ci installs exactly those.
                var (code, output, errors) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"]);
                Assert.True(code == 0, $"npm ci in {Folder} failed ({code}); Node.js and npm are needed:\n{errors}\n{output}");
            }
            s_installed = true;
        }
        finally
        {
            s_install.Release();
        }
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string command, string[] arguments, string? token = null)
    {
        var info = new ProcessStartInfo(command) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The key travels in the environment, not on a command line other processes can read.
        info.Environment["BOX_TOKEN"] = token ?? "";
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', arguments)} ran for more than 5 minutes:\n{await errors}");
        }
        return (process.ExitCode, await output, await errors);
    }
}
