using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Tests.Support;
using TestSupport;

namespace Gateway.Tests.Api.Box;

/// <summary>
/// Box's official SDKs, unchanged but for their upload URL (<c>&lt;gateway&gt;/box/api</c>) and a gateway API key
/// as their token, upload through the gateway, on a real Redis, to mock-box and, by the tenant's folder map, to
/// mock-sandbox; each file is read back at the backend that holds it.
/// </summary>
public sealed class BoxSdkTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string RoutedFolder = "1000";
    private const string RoutedDirectory = "/workspace/box-front";
    private const int Length = 25 * 1024 * 1024;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "box-sdk-tests", Guid.NewGuid().ToString("N"));
    private GatewayHarness _system = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s[$"Gateway:Tenants:acme:BoxFront:Folders:{RoutedFolder}:Backend"] = "sandbox";
            s[$"Gateway:Tenants:acme:BoxFront:Folders:{RoutedFolder}:Target:sandbox_id"] = GatewayHarness.SandboxId;
            s[$"Gateway:Tenants:acme:BoxFront:Folders:{RoutedFolder}:Target:directory"] = RoutedDirectory + "/";
        });
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Box_SDK_10_uploadBigFile_puts_25_MB_through_the_gateway_into_Box_byte_exact()
    {
        var (path, bytes) = NewFile(seed: 1001);

        var file = await BoxSdk.UploadAsync("v10", _system.Gateway.BaseAddress, GatewayHarness.AcmeKey, path, "0", "sdk10.bin");

        Assert.Equal("file", file.GetProperty("type").GetString());
        Assert.Equal("sdk10.bin", file.GetProperty("name").GetString());
        Assert.Equal(Length, file.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(bytes)), file.GetProperty("sha1").GetString());
        var id = file.GetProperty("id").GetString()!;
        using var box = _system.BoxClient();
        Assert.Equal(bytes, await box.GetByteArrayAsync($"/2.0/files/{id}/content"));
        var session = await CompletedSessionAsync(s => s.GetProperty("result").TryGetProperty("file_id", out var f) && f.GetString() == id);
        Assert.Equal("box", session.GetProperty("backend").GetString());
        Assert.Equal(Length / GatewayHarness.PartSize, session.GetProperty("parts_received").GetInt32());
    }

    [Fact]
    public async Task Box_SDK_10_uploadBigFile_into_a_routed_folder_lands_byte_exact_in_the_sandbox()
    {
        var (path, bytes) = NewFile(seed: 1002);

        var file = await BoxSdk.UploadAsync("v10", _system.Gateway.BaseAddress, GatewayHarness.AcmeKey, path, RoutedFolder, "routed.bin");

        Assert.Equal("routed.bin", file.GetProperty("name").GetString());
        Assert.Equal(Length, file.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(bytes)), file.GetProperty("sha1").GetString());
        Assert.Matches("^[0-9]{1,17}$", file.GetProperty("id").GetString());
        Assert.Equal(RoutedFolder, file.GetProperty("parent").GetProperty("id").GetString());
        using var sandbox = _system.SandboxClient();
        Assert.Equal(bytes, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={RoutedDirectory}/routed.bin"));
        using var box = _system.BoxClient();
        using var atBox = await box.GetAsync($"/2.0/files/{file.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.NotFound, atBox.StatusCode);
        var session = await CompletedSessionAsync(s => s.GetProperty("target").TryGetProperty("path", out var p) && p.GetString() == RoutedDirectory + "/routed.bin");
        Assert.Equal("sandbox", session.GetProperty("backend").GetString());
    }

    [Fact]
    public async Task Box_SDK_3_chunked_uploader_with_four_parts_in_parallel_puts_25_MB_into_Box_byte_exact()
    {
        var (path, bytes) = NewFile(seed: 1003);

        var file = await BoxSdk.UploadAsync("v3", _system.Gateway.BaseAddress, GatewayHarness.AcmeKey, path, "0", "sdk3.bin");

        Assert.Equal("sdk3.bin", file.GetProperty("name").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(bytes)), file.GetProperty("sha1").GetString());
        using var box = _system.BoxClient();
        Assert.Equal(bytes, await box.GetByteArrayAsync($"/2.0/files/{file.GetProperty("id").GetString()}/content"));
    }

    private (string Path, byte[] Bytes) NewFile(long seed)
    {
        var bytes = GeneratedData.Bytes(seed, 0, Length);
        var path = Path.Combine(_directory, $"{seed}.bin");
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }

    /// <summary>The v1 view of the tenant's completed session that matches: the Box upload was a gateway session.</summary>
    private async Task<JsonElement> CompletedSessionAsync(Func<JsonElement, bool> match)
    {
        using var client = _system.Client();
        var page = JsonDocument.Parse(await client.GetStringAsync("/v1/uploads?status=completed")).RootElement;
        var session = page.GetProperty("uploads").EnumerateArray().Single(match);
        var id = session.GetProperty("upload_id").GetString()!;
        Assert.StartsWith("up_", id);
        return JsonDocument.Parse(await client.GetStringAsync($"/v1/uploads/{id}")).RootElement.Clone();
    }
}
