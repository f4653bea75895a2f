using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Admin;

/// <summary>
/// Debian's Chromium, headless, driven over the Chrome DevTools Protocol from the test itself: navigate, run a
/// script in the page, take a screenshot. No Node, no driver, no browser download: one process and a WebSocket.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _page;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly List<string> _console = [];
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket page)
    {
        _process = process;
        _profile = profile;
        _page = page;
    }

    public static async Task<HeadlessChromium> StartAsync(string binary)
    {
        var profile = Directory.CreateTempSubdirectory("gateway-chromium-").FullName;
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        // The flags ENVIRONMENT.md gives for this machine: no sandbox (root), no GPU, and nothing that calls home
        // (the closed network refuses it, slowly).
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-quic", "--hide-scrollbars", "--window-size=1280,800",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank",
        })
        {
            info.ArgumentList.Add(flag);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        try
        {
            var browser = await DevToolsAddressAsync(process);
            var page = await PageSocketAsync(browser);
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(page, CancellationToken.None);
            var chromium = new HeadlessChromium(process, profile, socket);
            await chromium.SendAsync("Page.enable");
            await chromium.SendAsync("Runtime.enable");
            await chromium.SendAsync("Log.enable");
            return chromium;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public Task NavigateAsync(Uri url) => SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });

    /// <summary>Evaluates a JavaScript expression in the page and returns its value (JSON).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        });
        if (result?["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"The page threw while evaluating {expression}: {exception.ToJsonString()}");
        }
        return result?["result"]?["value"];
    }

    /// <summary>Polls a boolean expression until it is true; fails with the page's text when it never becomes so.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await EvaluateAsync($"Boolean({condition})"))?.GetValue<bool>() == true)
            {
                return;
            }
            await Task.Delay(100);
        }
        var text = await EvaluateAsync("document.body ? document.body.innerText : '(no body)'");
        Assert.Fail($"The page never showed {what} within {timeout.TotalSeconds} s. It reads:\n{text}\nConsole:\n{string.Join("\n", _console)}");
    }

    /// <summary>A PNG of the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String(result!["data"]!.GetValue<string>());
    }

    /// <summary>One command; events the page sends meanwhile are read and dropped.</summary>
    private async Task<JsonNode?> SendAsync(string method, JsonObject? parameters = null)
    {
        await _one.WaitAsync();
        try
        {
            var id = ++_nextId;
            var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _page.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
            while (true)
            {
                var message = JsonNode.Parse(await ReceiveAsync(timeout.Token))!;
                if (message["id"]?.GetValue<int>() != id)
                {
                    KeepConsole(message);
                    continue;
                }
                if (message["error"] is { } error)
                {
                    throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
                }
                return message["result"];
            }
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>What the page logged or threw, for the failure message of a test that waited in vain.</summary>
    private void KeepConsole(JsonNode message)
    {
        var method = message["method"]?.GetValue<string>();
        if (method is "Runtime.exceptionThrown" or "Runtime.consoleAPICalled" or "Log.entryAdded")
        {
            _console.Add(method + " " + message["params"]?.ToJsonString());
        }
    }

    private async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await _page.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("Chromium closed the DevTools connection.");
            }
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    /// <summary>Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…" once it is ready.</summary>
    private static async Task<Uri> DevToolsAddressAsync(Process process)
    {
        const string Marker = "DevTools listening on ";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var at = line.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                // Keep draining stderr, or Chromium blocks once the pipe is full.
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return new Uri(line[(at + Marker.Length)..].Trim());
            }
        }
        throw new InvalidOperationException("Chromium exited before it listened for DevTools:\n" + seen);
    }

    /// <summary>The WebSocket of the browser's first page (about:blank), from the DevTools HTTP endpoint.</summary>
    private static async Task<Uri> PageSocketAsync(Uri browser)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{browser.Authority}/"), Timeout = TimeSpan.FromSeconds(10) };
        for (var attempt = 0; ; attempt++)
        {
            using var targets = JsonDocument.Parse(await http.GetStringAsync("json/list"));
            var page = targets.RootElement.EnumerateArray().FirstOrDefault(t => t.GetProperty("type").GetString() == "page");
            if (page.ValueKind == JsonValueKind.Object)
            {
                return new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!);
            }
            if (attempt == 50)
            {
                throw new InvalidOperationException("Chromium has no page to drive.");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_page.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _page.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        _page.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
