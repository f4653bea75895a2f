using System.Diagnostics;
using System.Text.Json;
using Gateway.Tests.Support;
using TestSupport;
using Xunit.Abstractions;

namespace Gateway.Tests.Browser;

/// <summary>
/// One browser and one system for a test class: headless Chromium with its page origin, two gateway instances
/// on one Redis allowing that origin (and the demo's), and the demo's app server (demo/server.js, its page
/// bundled by esbuild from the lock file's Uppy) minting tokens with tenant acme's key. Nothing starts where
/// Chromium or Node is missing: the tests say so (<see cref="BrowserFactAttribute"/>).
/// </summary>
public sealed class BrowserSystem(IMessageSink sink) : IAsyncLifetime
{
    public const string SlowKey = "slow-key-0123456789";

    private readonly RedisServer _redis = new(sink);
    private Process? _demo;

    internal BrowserBridge Browser { get; private set; } = null!;

    public GatewayHarness System { get; private set; } = null!;

    /// <summary>A second gateway instance on the same Redis.</summary>
    public LoopbackApp Second { get; private set; } = null!;

    public string DemoUrl { get; private set; } = "";

    public static string DemoFolder => Path.Combine(SharedSpecs.RepositoryRoot, "demo");

    public async Task InitializeAsync()
    {
        if (new BrowserFactAttribute().Skip is not null)
        {
            return;
        }
        Browser = await BrowserBridge.StartAsync();
        await _redis.InitializeAsync();
        var demoPort = RedisServer.FreePort();
        var demoOrigin = $"http://localhost:{demoPort}";
        System = await GatewayHarness.StartAsync(_redis, gateway: s =>
        {
            s["Gateway:Cors:AllowedOrigins:0"] = Browser.Origin;
            s["Gateway:Cors:AllowedOrigins:1"] = demoOrigin;
            s["Gateway:Tenants:acme:UploadTokens:Mint"] = "true";
            s["Gateway:Tenants:other:UploadTokens:Mint"] = "true";
            // A tenant whose rate the refusals test exceeds with a few requests.
            s["Gateway:Tenants:slow:ApiKeyHashes:0"] = Gateway.Auth.TenantDirectory.Hash(SlowKey);
            s["Gateway:Tenants:slow:Backends:0"] = "sandbox";
            // It shares the sandbox credential with acme and other, and may write anywhere on purpose (deny by default).
            s["Gateway:Tenants:slow:AnyTarget"] = "true";
            s["Gateway:Tenants:slow:Limits:RequestsPerSecond"] = "1";
            s["Gateway:Tenants:slow:Limits:RequestBurst"] = "3";
        });
        Second = await System.StartGatewayAsync();
        _demo = await StartDemoAsync(demoPort);
        DemoUrl = demoOrigin + "/";
    }

    private async Task<Process> StartDemoAsync(int port)
    {
        await BrowserBridge.NpmCiAsync(DemoFolder, "@uppy/core");
        await BrowserBridge.RunAsync(DemoFolder, "npm", "run", "build", "--silent");
        var info = new ProcessStartInfo("node") { WorkingDirectory = DemoFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("server.js");
        info.Environment["GATEWAY_URL"] = System.Gateway.BaseAddress.ToString();
        info.Environment["GATEWAY_API_KEY"] = GatewayHarness.AcmeKey;
        info.Environment["PORT"] = port.ToString(global::System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DEMO_SCOPE"] = JsonSerializer.Serialize(new
        {
            backend = "sandbox",
            target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/demo" },
        });
        var demo = Process.Start(info)!;
        demo.ErrorDataReceived += (_, _) => { };
        demo.BeginErrorReadLine();
        var line = await demo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line?.StartsWith("demo listening", StringComparison.Ordinal) != true)
        {
            demo.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The demo's app server did not start: {line}");
        }
        return demo;
    }

    public async Task DisposeAsync()
    {
        if (_demo is not null)
        {
            _demo.Kill(entireProcessTree: true);
            await _demo.WaitForExitAsync();
            _demo.Dispose();
        }
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        if (Second is not null)
        {
            await Second.DisposeAsync();
        }
        if (System is not null)
        {
            await System.DisposeAsync();
        }
        if (Browser is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
