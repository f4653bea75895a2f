using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;
using TestSupport;

namespace MockSandbox.Tests.Quota;

public sealed class StagingQuotaTests
{
    [Fact]
    public async Task Creates_beyond_the_sandbox_staging_quota_are_429_quota_exceeded_and_retryable()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.ConfigureSandboxAsync(new JsonObject { ["limits"] = new JsonObject { ["sandbox_staging_quota_bytes"] = 10_000 } });
        await mock.CreateFileSessionAsync(6_000, "/tmp/a");
        await mock.CreateFileSessionAsync(4_000, "/tmp/b");
        Assert.Equal(10_000, await mock.ReservedBytesAsync());

        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(1, "/tmp/c"));
        var error = await ApiAssert.ErrorAsync(response, (HttpStatusCode)429, "quota_exceeded", retryable: true);
        var details = error.GetProperty("details");
        Assert.Equal(1, details.Long("requested_bytes"));
        Assert.Equal(10_000, details.Long("reserved_bytes"));
        Assert.Equal(10_000, details.Long("quota_bytes"));

        // Empty uploads reserve nothing and always fit.
        await mock.CreateFileSessionAsync(0, "/tmp/empty");
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("aborted")]
    [InlineData("failed")]
    [InlineData("expired")]
    public async Task Every_end_state_releases_the_reservation(string end)
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:SandboxStagingQuotaBytes"] = "1000" }, clock);
        var content = TestData.Bytes(60, 0, 1000);
        var id = (await mock.CreateFileSessionAsync(1000)).Id();
        await mock.PutPartOkAsync(id, 0, content);
        using (var full = await mock.PostCreateAsync(SandboxMockHost.FileBody(1000, "/tmp/next")))
        {
            await ApiAssert.ErrorAsync(full, (HttpStatusCode)429, "quota_exceeded");
        }

        switch (end)
        {
            case "completed":
                await mock.CompleteOkAsync(id, TestData.Sha256Hex(content));
                break;
            case "aborted":
                (await mock.AbortAsync(id)).Dispose();
                break;
            case "failed":
                (await mock.PostCompleteAsync(id, new string('f', 64))).Dispose();
                break;
            case "expired":
                clock.Advance(TimeSpan.FromDays(1));
                break;
        }

        var status = await mock.GetStatusAsync(id);
        Assert.Equal(end, status.Status());
        Assert.Equal(0, status.Long("reserved_staging_bytes"));
        Assert.Equal(0, await mock.ReservedBytesAsync());
        await mock.CreateFileSessionAsync(1000, "/tmp/next");
    }

    [Fact]
    public async Task Quotas_are_counted_per_sandbox()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?>
        {
            ["MockSandbox:Sandboxes:1"] = "sb_test0002",
            ["MockSandbox:Limits:SandboxStagingQuotaBytes"] = "1000",
        });
        await mock.CreateFileSessionAsync(1000);
        await mock.CreateSessionAsync(SandboxMockHost.FileBody(1000), "sb_test0002");
        Assert.Equal(1000, await mock.ReservedBytesAsync("sb_test0002"));
    }

    [Fact]
    public async Task A_completing_upload_still_holds_its_reservation_until_it_ends()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:SandboxStagingQuotaBytes"] = "500" });
        await mock.PutFileAsync("/workspace/file.bin", "exists");
        var id = (await mock.CreateFileSessionAsync(500)).Id();
        await mock.PutPartOkAsync(id, 0, new byte[500]);
        // conflict: error and the target exists: the complete fails but the session stays staged, reservation held.
        (await mock.PostCompleteAsync(id)).Dispose();
        Assert.Equal("staged", (await mock.GetStatusAsync(id)).Status());
        Assert.Equal(500, await mock.ReservedBytesAsync());
    }
}
