using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Uploads;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task More_parts_in_flight_than_max_concurrency_is_429_rate_limit_exceeded()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.ConfigureSandboxAsync(new JsonObject { ["max_concurrency"] = 2 });
        const int Size = 4 * SandboxMockHost.PartSize;
        var session = await mock.CreateFileSessionAsync(Size);
        Assert.Equal(2, session.Long("max_concurrency"));
        var id = session.Id();

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = Enumerable.Range(0, 2).Select(part =>
        {
            var bytes = TestData.Bytes(20, part * SandboxMockHost.PartSize, SandboxMockHost.PartSize);
            var request = new HttpRequestMessage(HttpMethod.Put, SandboxMockHost.PartUrl(id, (uint)part))
            {
                Content = new GatedContent(bytes[..1024], bytes[1024..], gate.Task),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return mock.Client.SendAsync(request);
        }).ToList();
        await Eventually.HoldsAsync(
            async () => (await mock.MockSandboxAsync()).GetProperty("usage").Long("in_flight_parts") == 2,
            "both held parts are in flight");

        using (var third = await mock.PutGeneratedPartAsync(id, 2, 20, Size))
        {
            var error = await ApiAssert.ErrorAsync(third, (HttpStatusCode)429, "rate_limit_exceeded", retryable: true);
            Assert.Equal(2, error.GetProperty("details").Long("max_concurrency"));
            Assert.True(third.Headers.RetryAfter is not null);
        }

        gate.SetResult();
        foreach (var response in await Task.WhenAll(held))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
        using (var retried = await mock.PutGeneratedPartAsync(id, 2, 20, Size))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }
        using (var last = await mock.PutGeneratedPartAsync(id, 3, 20, Size))
        {
            Assert.Equal("staged", (await ApiAssert.JsonAsync(last, HttpStatusCode.OK)).Status());
        }
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(20, 0, Size));
    }

    [Fact]
    public async Task The_concurrency_limit_counts_parts_of_one_session_only()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:MaxConcurrency"] = "1" });
        var held = await mock.CreateFileSessionAsync(SandboxMockHost.PartSize);
        var other = await mock.CreateFileSessionAsync(SandboxMockHost.PartSize, "/workspace/other.bin");

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bytes = TestData.Bytes(21, 0, SandboxMockHost.PartSize);
        var request = new HttpRequestMessage(HttpMethod.Put, SandboxMockHost.PartUrl(held.Id(), 0))
        {
            Content = new GatedContent(bytes[..1024], bytes[1024..], gate.Task),
        };
        var pending = mock.Client.SendAsync(request);
        await Eventually.HoldsAsync(
            async () => (await mock.MockSandboxAsync()).GetProperty("usage").Long("in_flight_parts") == 1,
            "the held part is in flight");

        await mock.PutPartOkAsync(other.Id(), 0, bytes);

        gate.SetResult();
        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(21, 200)]
    [InlineData(22, 409)]
    public async Task Two_requests_racing_with_one_part_keep_the_first_and_the_second_is_a_replay_compared_by_its_bytes(int secondSeed, int expected)
    {
        // Neither sends X-Part-SHA256, so neither part is hashed as it arrives: the loser's bytes are compared from its file.
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(SandboxMockHost.PartSize)).Id();
        var first = TestData.Bytes(21, 0, SandboxMockHost.PartSize);
        var second = TestData.Bytes(secondSeed, 0, SandboxMockHost.PartSize);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new HttpRequestMessage(HttpMethod.Put, SandboxMockHost.PartUrl(id, 0))
        {
            Content = new GatedContent(second[..1024], second[1024..], gate.Task),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var racing = mock.Client.SendAsync(request);
        await Eventually.HoldsAsync(
            async () => (await mock.MockSandboxAsync()).GetProperty("usage").Long("in_flight_parts") == 1,
            "the racing part is in flight");

        await mock.PutPartOkAsync(id, 0, first);
        gate.SetResult();
        using var response = await racing;

        Assert.Equal((HttpStatusCode)expected, response.StatusCode);
        await mock.CompleteOkAsync(id, TestData.Sha256Hex(first));
        Assert.Equal(first, await File.ReadAllBytesAsync(mock.HostPath("/workspace/file.bin")));
    }
}
