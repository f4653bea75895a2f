using System.Net;
using Microsoft.Extensions.Options;
using MockSandbox.Configuration;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Configuration;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("MockSandbox:PartSize", "0", "PartSize")]
    [InlineData("MockSandbox:MaxConcurrency", "0", "MaxConcurrency")]
    [InlineData("MockSandbox:SessionTtl", "-00:01:00", "SessionTtl")]
    [InlineData("MockSandbox:Limits:MaxPartBytes", "1024", "Limits:MaxPartBytes")]
    [InlineData("MockSandbox:Limits:SandboxStagingQuotaBytes", "-1", "Limits:SandboxStagingQuotaBytes")]
    [InlineData("MockSandbox:Sandboxes:0", "not a sandbox", "Sandboxes")]
    [InlineData("MockSandbox:ApiKeys:0", null, "ApiKeys")]
    public async Task A_bad_configuration_stops_start_up_naming_the_key(string key, string? value, string named)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            SandboxMockHost.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains($"MockSandbox:{named}", failure.Message);
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var options = new MockSandboxOptions();
        Assert.Equal(8L * 1024 * 1024, options.PartSize);
        Assert.Equal(4, options.MaxConcurrency);
        Assert.Equal(TimeSpan.FromHours(24), options.SessionTtl);
        Assert.Equal(5L * 1024 * 1024 * 1024, options.Limits.MaxUploadBytes);
        Assert.Null(options.Limits.MaxPartBytes);
        Assert.Equal(10L * 1024 * 1024 * 1024, options.Limits.SandboxStagingQuotaBytes);
        Assert.False(options.TestMode);
        Assert.Null(options.DataDirectory);
    }

    [Fact]
    public void The_shipped_appsettings_accept_the_dev_key_for_the_dev_sandbox_on_port_5081()
    {
        var path = Path.Combine(TestSupport.SharedSpecs.RepositoryRoot, "mock-sandbox", "appsettings.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal("http://127.0.0.1:5081", root.GetProperty("Urls").GetString());
        var section = root.GetProperty("MockSandbox");
        Assert.Equal(["dev-sandbox-key"], section.GetProperty("ApiKeys").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["sb_dev00001"], section.GetProperty("Sandboxes").EnumerateArray().Select(e => e.GetString()));
        Assert.False(section.GetProperty("TestMode").GetBoolean());
    }

    [Fact]
    public async Task A_temporary_data_directory_is_deleted_when_the_mock_stops()
    {
        string root;
        await using (var mock = await SandboxMockHost.StartAsync())
        {
            root = mock.DataRoot;
            await mock.PutFileAsync("/workspace/x", "x");
            Assert.True(File.Exists(Path.Combine(root, "sandboxes", SandboxMockHost.SandboxId, "fs", "workspace", "x")));
        }
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task A_configured_data_directory_holds_everything_and_is_kept()
    {
        var root = Directory.CreateTempSubdirectory("mock-sandbox-test-").FullName;
        try
        {
            await using (var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:DataDirectory"] = root }))
            {
                Assert.Equal(root, mock.DataRoot);
                var id = (await mock.CreateFileSessionAsync(10)).Id();
                await mock.PutPartOkAsync(id, 0, new byte[10]);
                Assert.True(Directory.Exists(Path.Combine(root, "sandboxes", SandboxMockHost.SandboxId, "staging", id)));
                await mock.CompleteOkAsync(id);
            }
            Assert.True(File.Exists(Path.Combine(root, "sandboxes", SandboxMockHost.SandboxId, "fs", "workspace", "file.bin")));

            // A restart keeps the filesystem and clears orphaned staging.
            Directory.CreateDirectory(Path.Combine(root, "sandboxes", SandboxMockHost.SandboxId, "staging", "upload_orphan"));
            await using (var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:DataDirectory"] = root }))
            {
                using var response = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/workspace/file.bin"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.False(Directory.Exists(Path.Combine(root, "sandboxes", SandboxMockHost.SandboxId, "staging", "upload_orphan")));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
