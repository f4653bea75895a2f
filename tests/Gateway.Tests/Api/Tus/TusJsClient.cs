using System.Diagnostics;
using System.Text.Json;
using TestSupport;

namespace Gateway.Tests.Api.Tus;

/// <summary>
/// The unmodified tus-js-client from npm, run by Node over tests/tus-client/upload.js. Its package is installed
/// once (<c>npm ci</c> into tests/tus-client/node_modules, kept between runs) by the first test that needs it.
/// </summary>
internal static class TusJsClient
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    private static string Folder => Path.Combine(SharedSpecs.RepositoryRoot, "tests", "tus-client");

    public static async Task<JsonElement> RunAsync(object scenario)
    {
        await EnsureInstalledAsync();
        var (code, output, error) = await ExecAsync("node", Folder, "upload.js", JsonSerializer.Serialize(scenario));
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"tus-js-client printed nothing (exit {code}): {error}");
        var result = JsonDocument.Parse(line).RootElement.Clone();
        Assert.True(result.GetProperty("ok").GetBoolean(), $"tus-js-client failed: {line} {error}");
        return result;
    }

    private static async Task EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", "tus-js-client")))
            {
                return;
            }
            var (code, output, error) = await ExecAsync("npm", Folder, "ci", "--no-audit", "--no-fund");
            Assert.True(code == 0, $"npm ci failed: {output} {error}");
        }
        finally
        {
            Install.Release();
        }
    }

    private static async Task<(int Code, string Output, string Error)> ExecAsync(string file, string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }
}
