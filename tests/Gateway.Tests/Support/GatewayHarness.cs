using Microsoft.Extensions.Time.Testing;
using Gateway.Auth;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MockBox;
using MockSandbox;
using TestSupport;

namespace Gateway.Tests.Support;

/// <summary>
/// The whole system on loopback: mock-sandbox, mock-box (both in test mode) and a gateway in front of them,
/// each a real Kestrel server on an ephemeral port, sharing one clock. Redis when a server is given, else
/// the embedded store. Two tenants: <see cref="AcmeKey"/> and <see cref="OtherKey"/>.
/// </summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    public const string AcmeKey = "acme-key-0123456789";
    public const string OtherKey = "other-key-0123456789";
    public const string SandboxKey = "sandbox-secret-key-42";
    public const string BoxToken = "box-secret-token-42";
    public const string SandboxId = "sb_test0001";
    public const int PartSize = 1024 * 1024;

    private readonly List<string> _directories = [];
    private Action<WebApplicationBuilder>? _everyApp;

    private GatewayHarness()
    {
    }

    public LoopbackApp Sandbox { get; private set; } = null!;

    public LoopbackApp Box { get; private set; } = null!;

    public LoopbackApp Gateway { get; private set; } = null!;

    public FakeTimeProvider? Clock { get; private set; }

    /// <summary>The settings the gateway ran with, e.g. to start more instances of it.</summary>
    public Dictionary<string, string?> GatewaySettings { get; } = [];

    public static async Task<GatewayHarness> StartAsync(
        RedisServer? redis = null,
        FakeTimeProvider? clock = null,
        Action<Dictionary<string, string?>>? gateway = null,
        Action<Dictionary<string, string?>>? sandbox = null,
        Action<Dictionary<string, string?>>? box = null,
        Action<WebApplicationBuilder>? everyApp = null)
    {
        var harness = new GatewayHarness { Clock = clock, _everyApp = everyApp };
        try
        {
            await harness.StartMocksAsync(sandbox, box);
            harness.ConfigureGateway(redis, gateway);
            harness.Gateway = await harness.StartGatewayAsync();
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>One more gateway instance with the same settings (same store, same backends).</summary>
    public Task<LoopbackApp> StartGatewayAsync() =>
        LoopbackApp.StartAsync(
            builder =>
            {
                builder.AddGateway();
                UseClock(builder);
            },
            app => app.MapGateway(),
            GatewaySettings);

    public HttpClient Client(string apiKey = AcmeKey) => Gateway.CreateClient(apiKey);

    public HttpClient SandboxClient() => Sandbox.CreateClient(SandboxKey);

    public HttpClient BoxClient() => Box.CreateClient(BoxToken);

    private async Task StartMocksAsync(Action<Dictionary<string, string?>>? sandbox, Action<Dictionary<string, string?>>? box)
    {
        var sandboxSettings = new Dictionary<string, string?>
        {
            ["MockSandbox:ApiKeys:0"] = SandboxKey,
            ["MockSandbox:Sandboxes:0"] = SandboxId,
            ["MockSandbox:TestMode"] = "true",
            ["MockSandbox:DataDirectory"] = NewDirectory(),
            ["MockSandbox:PartSize"] = PartSize.ToString(),
            ["MockSandbox:MaxConcurrency"] = "8",
        };
        sandbox?.Invoke(sandboxSettings);
        Sandbox = await LoopbackApp.StartAsync(b => { b.AddMockSandbox(); UseClock(b); }, a => a.MapMockSandbox(), sandboxSettings);

        var boxSettings = new Dictionary<string, string?>
        {
            ["MockBox:AccessTokens:0"] = BoxToken,
            ["MockBox:TestMode"] = "true",
            ["MockBox:DataDirectory"] = NewDirectory(),
            ["MockBox:PartSize"] = PartSize.ToString(),
            ["MockBox:MinFileSize"] = "0",
        };
        box?.Invoke(boxSettings);
        Box = await LoopbackApp.StartAsync(b => { b.AddMockBox(); UseClock(b); }, a => a.MapMockBox(), boxSettings);
    }

    private void ConfigureGateway(RedisServer? redis, Action<Dictionary<string, string?>>? configure)
    {
        var s = GatewaySettings;
        if (redis is not null)
        {
            s["Gateway:Store:Redis"] = redis.ConnectionString;
            s["Gateway:Store:KeyPrefix"] = "t" + Guid.NewGuid().ToString("N")[..12];
        }
        s["Gateway:Backends:sandbox:Type"] = "sandbox";
        s["Gateway:Backends:sandbox:Cluster"] = "sandbox-cluster";
        s["Gateway:Backends:sandbox:Credential"] = SandboxKey;
        s["Gateway:Backends:box:Type"] = "box";
        s["Gateway:Backends:box:Cluster"] = "box-cluster";
        s["Gateway:Backends:box:Credential"] = BoxToken;
        s["Gateway:Backends:box:MinUploadBytes"] = "0";
        s["ReverseProxy:Clusters:sandbox-cluster:Destinations:one:Address"] = Sandbox.BaseAddress.ToString();
        s["ReverseProxy:Clusters:box-cluster:Destinations:one:Address"] = Box.BaseAddress.ToString();
        foreach (var (tenant, key) in new[] { ("acme", AcmeKey), ("other", OtherKey) })
        {
            s[$"Gateway:Tenants:{tenant}:ApiKeyHashes:0"] = TenantDirectory.Hash(key);
            s[$"Gateway:Tenants:{tenant}:Backends:0"] = "sandbox";
            s[$"Gateway:Tenants:{tenant}:Backends:1"] = "box";
            // Both tenants share the backends' credentials and write anywhere, on purpose (issue 23, finding 3).
            s[$"Gateway:Tenants:{tenant}:AnyTarget"] = "true";
        }
        // Tests drive the sweeper themselves (ExpirySweeper.SweepOnceAsync).
        s["Gateway:Expiry:Enabled"] = "false";
        s["Gateway:Forwarding:SpoolDirectory"] = NewDirectory();
        // No load balancer to wait for: each instance stops as soon as its requests are done (DrainTests set their own).
        s["Gateway:Drain:Delay"] = "00:00:00";
        configure?.Invoke(s);
    }

    /// <summary>What every app of the system shares: the clock, and the test's own hook (e.g. log capture).</summary>
    private void UseClock(WebApplicationBuilder builder)
    {
        if (Clock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
        }
        _everyApp?.Invoke(builder);
    }

    private string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        _directories.Add(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { Gateway, Box, Sandbox })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
