using MockBox.Tests.Support;

namespace MockBox.Tests.Errors;

public sealed class ErrorRoutingTests
{
    [Theory]
    [InlineData("/api/2.0/folders/0")]
    [InlineData("/api/2.0/files/upload_sessions/0123456789ABCDEF0123456789ABCDEF/unknown")]
    [InlineData("/")]
    public async Task Unknown_route_is_404_not_found_in_boxs_envelope(string path)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.Client.GetAsync(path);

        await BoxAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task Known_route_with_another_method_is_405_method_not_allowed_in_boxs_envelope()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.Client.PatchAsync("/api/2.0/files/upload_sessions/0123456789ABCDEF0123456789ABCDEF", null);

        await BoxAssert.ErrorAsync(response, 405, "method_not_allowed");
        Assert.Contains("PUT", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Every_error_gets_its_own_request_id()
    {
        await using var box = await MockBoxHost.StartAsync();

        using var first = await box.Client.GetAsync("/nowhere");
        using var second = await box.Client.GetAsync("/nowhere");

        var firstId = (await BoxAssert.ErrorAsync(first, 404, "not_found")).GetProperty("request_id").GetString();
        var secondId = (await BoxAssert.ErrorAsync(second, 404, "not_found")).GetProperty("request_id").GetString();
        Assert.NotEqual(firstId, secondId);
    }
}
