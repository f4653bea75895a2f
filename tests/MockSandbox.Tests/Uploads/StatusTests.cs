using Microsoft.Extensions.Time.Testing;
using System.Globalization;
using System.Net;
using MockSandbox.Tests.Support;
using TestSupport;

namespace MockSandbox.Tests.Uploads;

public sealed class StatusTests
{
    [Fact]
    public async Task Status_returns_the_session_bare()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var created = await mock.CreateFileSessionAsync(10);
        var status = await mock.GetStatusAsync(created.Id());
        Assert.False(status.TryGetProperty("session", out _));
        Assert.Equal(created.ToString(), status.ToString());
    }

    [Fact]
    public async Task Timestamps_are_rfc_3339_in_utc_from_the_injected_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        var id = (await mock.CreateFileSessionAsync(10)).Id();
        clock.Advance(TimeSpan.FromSeconds(42));
        var status = await mock.PutPartOkAsync(id, 0, new byte[10]);

        Assert.Equal("2030-05-06T07:08:09Z", status.GetProperty("created_at").GetString());
        Assert.Equal("2030-05-06T07:08:51Z", status.GetProperty("updated_at").GetString());
        Assert.Equal("2030-05-07T07:08:09Z", status.GetProperty("expires_at").GetString());
        foreach (var name in new[] { "created_at", "updated_at", "expires_at" })
        {
            var parsed = DateTimeOffset.ParseExact(status.GetProperty(name).GetString()!, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.Equal(TimeSpan.Zero, parsed.Offset);
        }
    }

    [Fact]
    public async Task Status_of_an_unknown_upload_is_404_not_found_and_of_an_unknown_sandbox_404_sandbox_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var upload = await mock.Client.GetAsync(SandboxMockHost.UploadUrl("upload_00000000000000000000000000000000"));
        await ApiAssert.ErrorAsync(upload, HttpStatusCode.NotFound, "not_found");
        using var sandbox = await mock.Client.GetAsync(SandboxMockHost.UploadUrl("upload_00000000000000000000000000000000", "sb_nothere1"));
        await ApiAssert.ErrorAsync(sandbox, HttpStatusCode.NotFound, "sandbox_not_found");
    }

    [Fact]
    public async Task Sessions_of_one_sandbox_are_not_visible_from_another()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Sandboxes:1"] = "sb_test0002" });
        var id = (await mock.CreateFileSessionAsync(10)).Id();
        using var response = await mock.Client.GetAsync(SandboxMockHost.UploadUrl(id, "sb_test0002"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }
}
