using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TestSupport;

namespace Gateway.Tests.Browser;

/// <summary>
/// Debian's headless Chromium driven by puppeteer-core (tests/browser/bridge.js, one Node process): a page on
/// its own origin (<see cref="Origin"/>, <c>http://localhost:P</c>) whose scripts the tests run and whose
/// answers come back as JSON. Its npm packages are installed from the lock file once (.ci/run does it first).
/// </summary>
internal sealed class BrowserBridge : IAsyncDisposable
{
    private static readonly SemaphoreSlim Install = new(1, 1);
    private readonly Process _node;
    private readonly StringBuilder _console;
    private readonly SemaphoreSlim _one = new(1, 1);
    private int _nextId;

    private BrowserBridge(Process node, StringBuilder console, string origin)
    {
        (_node, _console, Origin) = (node, console, origin);
    }

    public static string Folder => Path.Combine(SharedSpecs.RepositoryRoot, "tests", "browser");

    public string Origin { get; }

    /// <summary>What the page printed (console, errors), for failure messages.</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    public static async Task<BrowserBridge> StartAsync()
    {
        await NpmCiAsync(Folder, "puppeteer-core");
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add("bridge.js");
        info.Environment["CHROMIUM"] = BrowserFactAttribute.Chromium;
        var node = Process.Start(info)!;
        var console = new StringBuilder();
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (console)
                {
                    console.AppendLine(e.Data);
                }
            }
        };
        node.BeginErrorReadLine();
        var first = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var ready = first is null ? null : JsonNode.Parse(first);
        if (ready?["ok"]?.GetValue<bool>() != true)
        {
            node.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The browser did not start: {first} {console}");
        }
        return new BrowserBridge(node, console, ready["value"]!.GetValue<string>());
    }

    public Task GotoAsync(string url) => SendAsync(new JsonObject { ["op"] = "goto", ["url"] = url });

    public Task NewPageAsync() => SendAsync(new JsonObject { ["op"] = "newPage" });

    public Task ReloadAsync() => SendAsync(new JsonObject { ["op"] = "reload" });

    public Task UploadFileAsync(string selector, string file) =>
        SendAsync(new JsonObject { ["op"] = "upload", ["selector"] = selector, ["files"] = new JsonArray(file) });

    public Task ClickAsync(string selector) => SendAsync(new JsonObject { ["op"] = "click", ["selector"] = selector });

    public Task WaitForAsync(string expression, TimeSpan? timeout = null) =>
        SendAsync(new JsonObject { ["op"] = "waitFor", ["script"] = expression, ["timeout"] = (timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds });

    public Task ScreenshotAsync(string file) => SendAsync(new JsonObject { ["op"] = "screenshot", ["file"] = file });

    /// <summary>Runs <paramref name="script"/> (the body of an async function, with <c>args</c> in scope) in the page and returns its result.</summary>
    public async Task<JsonElement> EvalAsync(string script, object? args = null)
    {
        var prelude = $"const args = {JsonSerializer.Serialize(args ?? new { })};\n";
        var value = await SendAsync(new JsonObject { ["op"] = "eval", ["script"] = prelude + script });
        return JsonDocument.Parse(value?.ToJsonString() ?? "null").RootElement.Clone();
    }

    private async Task<JsonNode?> SendAsync(JsonObject command)
    {
        await _one.WaitAsync();
        try
        {
            var id = ++_nextId;
            command["id"] = id;
            await _node.StandardInput.WriteLineAsync(command.ToJsonString());
            await _node.StandardInput.FlushAsync();
            var line = await _node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2))
                ?? throw new InvalidOperationException($"The browser bridge ended: {Console}");
            var answer = JsonNode.Parse(line)!;
            if (answer["ok"]?.GetValue<bool>() != true)
            {
                throw new InvalidOperationException($"{command["op"]} failed in the browser: {answer["error"]}\n--- page console ---\n{Console}");
            }
            return answer["value"];
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary><c>npm ci</c> in <paramref name="folder"/> unless <paramref name="package"/> is installed there already.</summary>
    public static async Task NpmCiAsync(string folder, string package)
    {
        await Install.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", package)))
            {
                await RunAsync(folder, "npm", "ci", "--no-audit", "--no-fund");
            }
        }
        finally
        {
            Install.Release();
        }
    }

    public static async Task RunAsync(string folder, string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} in {folder} failed: {await output} {await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _node.StandardInput.Close();
            await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
        }
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
        }
        _node.Dispose();
    }
}

/// <summary>A fact that needs Chromium and Node; skipped, with the reason shown, where either is missing (.ci/run installs both).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium))
        {
            Skip = "Debian's chromium is not installed: apt-get install -y chromium (.ci/run does).";
        }
        else if (RedisServer.FindOnPath("node") is null || RedisServer.FindOnPath("npm") is null)
        {
            Skip = "node and npm are not installed: apt-get install -y nodejs npm (.ci/run does).";
        }
    }
}
