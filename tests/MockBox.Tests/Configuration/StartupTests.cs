using Microsoft.Extensions.Options;
using MockBox.Tests.Support;

namespace MockBox.Tests.Configuration;

public sealed class StartupTests
{
    [Theory]
    [InlineData("MockBox:PartSize", "0", "MockBox:PartSize")]
    [InlineData("MockBox:MinFileSize", "-1", "MockBox:MinFileSize")]
    [InlineData("MockBox:SessionTtl", "-00:00:01", "MockBox:SessionTtl")]
    [InlineData("MockBox:CommitAcceptedResponses", "-1", "MockBox:CommitAcceptedResponses")]
    [InlineData("MockBox:PublicBaseUrl", "upload.example.com", "MockBox:PublicBaseUrl")]
    [InlineData("MockBox:PublicBaseUrl", "ftp://upload.example.com", "MockBox:PublicBaseUrl")]
    public async Task Invalid_configuration_stops_the_mock_at_start_with_a_message_naming_the_key(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            MockBoxHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_without_access_tokens_stops_the_mock_at_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MockBoxHost.StartAsync(new Dictionary<string, string?>
        {
            ["MockBox:AccessTokens:0"] = null,
            ["MockBox:AccessTokens:1"] = null,
        }));

        Assert.Contains("MockBox:AccessTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Temporary_data_directory_is_created_by_the_mock_and_deleted_on_shutdown()
    {
        var box = await MockBoxHost.StartAsync();
        await box.UploadFileAsync(seed: 1, size: 1000);
        var root = box.DataRoot;
        Assert.StartsWith(Path.GetTempPath(), root, StringComparison.Ordinal);
        Assert.True(Directory.Exists(root));

        await box.DisposeAsync();

        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task Configured_data_directory_holds_the_bytes_and_is_kept_on_shutdown()
    {
        var configured = Path.Combine(Path.GetTempPath(), "mock-box-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:DataDirectory"] = configured });
            var file = await box.UploadFileAsync(seed: 1, size: 1000);

            await box.DisposeAsync();

            var stored = Assert.Single(Directory.GetFiles(Path.Combine(configured, "files", file.GetProperty("id").GetString()!)));
            Assert.Equal(1000, new FileInfo(stored).Length);
        }
        finally
        {
            Directory.Delete(configured, recursive: true);
        }
    }
}
