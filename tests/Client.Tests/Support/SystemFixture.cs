using System.Net.Http.Json;
using System.Security.Cryptography;
using Gateway.Tests.Support;
using UploadGateway.Client;

namespace Client.Tests.Support;

/// <summary>
/// One running system (mock-sandbox, mock-box, gateway on loopback; embedded store) per test class, with
/// helpers to read back what landed in the mocks. Tests in a class run one after another, so a class that
/// injects faults has the mocks to itself; each test uses its own paths and files.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    private readonly List<string> _files = [];

    public GatewayHarness Harness { get; private set; } = null!;

    public Uri GatewayUrl => Harness.Gateway.BaseAddress;

    public async Task InitializeAsync() => Harness = await GatewayHarness.StartAsync(
        // Box's mock checks whole-file SHA-1s and commits after one 202, so complete's polling runs in every Box test.
        box: settings => settings["MockBox:CommitAcceptedResponses"] = "1");

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        foreach (var path in _files)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
    }

    public GatewayClient Client(RetryOptions? retry = null, HttpMessageHandler? handler = null) =>
        new(new HttpClient(handler ?? new SocketsHttpHandler()), new GatewayClientOptions
        {
            BaseAddress = GatewayUrl,
            ApiKey = GatewayHarness.AcmeKey,
            Retry = retry ?? new RetryOptions { InitialDelay = TimeSpan.FromMilliseconds(50) },
        });

    /// <summary>A file of <paramref name="length"/> deterministic pseudo-random bytes, written 1 MiB at a time; deleted with the fixture.</summary>
    public string NewFile(long length, int seed = 1)
    {
        var path = Path.Combine(NewDirectory(), "data.bin");
        WriteFile(path, length, seed);
        return path;
    }

    public string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "client-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        _files.Add(path);
        return path;
    }

    public static void WriteFile(string path, long length, int seed = 1)
    {
        var random = new Random(seed);
        var chunk = new byte[1024 * 1024];
        using var file = File.Create(path);
        for (long written = 0; written < length; written += chunk.Length)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, length - written));
        }
    }

    /// <summary>Fails unless the sandbox holds exactly <paramref name="localPath"/>'s bytes at <paramref name="sandboxPath"/>.</summary>
    public async Task AssertInSandboxAsync(string localPath, string sandboxPath)
    {
        using var http = Harness.SandboxClient();
        using var response = await http.GetAsync(
            $"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={Uri.EscapeDataString(sandboxPath)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"The sandbox has no {sandboxPath}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await AssertSameBytesAsync(localPath, await response.Content.ReadAsStreamAsync(), sandboxPath);
    }

    /// <summary>Fails unless Box file <paramref name="fileId"/> holds exactly <paramref name="localPath"/>'s bytes.</summary>
    public async Task AssertInBoxAsync(string localPath, string fileId)
    {
        using var http = Harness.BoxClient();
        using var response = await http.GetAsync($"/2.0/files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"Box has no file {fileId}: {(int)response.StatusCode}");
        await AssertSameBytesAsync(localPath, await response.Content.ReadAsStreamAsync(), "box file " + fileId);
    }

    /// <summary>Compares two streams byte for byte, 1 MiB at a time, naming the first offset that differs.</summary>
    public static async Task AssertSameBytesAsync(string localPath, Stream actual, string what)
    {
        await using var expected = File.OpenRead(localPath);
        var a = new byte[1024 * 1024];
        var b = new byte[a.Length];
        long offset = 0;
        while (true)
        {
            var readA = await expected.ReadAtLeastAsync(a, a.Length, throwOnEndOfStream: false);
            var readB = await actual.ReadAtLeastAsync(b, b.Length, throwOnEndOfStream: false);
            if (readA != readB || !a.AsSpan(0, readA).SequenceEqual(b.AsSpan(0, readB)))
            {
                var at = offset + Math.Min(readA, readB);
                for (var i = 0; i < Math.Min(readA, readB); i++)
                {
                    if (a[i] != b[i])
                    {
                        at = offset + i;
                        break;
                    }
                }
                Assert.Fail($"{what} differs from {localPath} at byte {at} (local chunk {readA} bytes, remote {readB}).");
            }
            if (readA == 0)
            {
                return;
            }
            offset += readA;
        }
    }

    /// <summary>Adds a fault rule to a mock's <c>/_mock/faults</c>.</summary>
    public static async Task InjectAsync(TestSupport.LoopbackApp mock, object rule)
    {
        using var http = mock.CreateClient();
        using var response = await http.PostAsJsonAsync("/_mock/faults", rule);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task ClearFaultsAsync(TestSupport.LoopbackApp mock)
    {
        using var http = mock.CreateClient();
        (await http.DeleteAsync("/_mock/faults")).EnsureSuccessStatusCode();
    }

    public static string Sha1Hex(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA1.HashData(file));
    }
}
