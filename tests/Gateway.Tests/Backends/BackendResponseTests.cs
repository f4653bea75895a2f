using System.Net;
using Gateway.Backends;
using Gateway.Tests.Support;

namespace Gateway.Tests.Backends;

/// <summary>How a backend's answer is read: whole, byte-exact across reads, and never past its bound.</summary>
public sealed class BackendResponseTests
{
    [Fact]
    public async Task An_answer_longer_than_one_read_buffer_is_read_whole_and_byte_exact()
    {
        var body = TestData.Bytes(40_000, seed: 5);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(body), bufferSize: 1_000) };
        response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"etag-1\"");

        var read = await BackendResponse.ReadAsync(response, CancellationToken.None);

        Assert.Equal(200, read.Status);
        Assert.Equal(body, read.Body);
        Assert.Equal("\"etag-1\"", read.ETag);
    }

    [Fact]
    public async Task An_answer_over_four_mebibytes_is_refused_before_it_is_held()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(new byte[4 * 1024 * 1024 + 1])) };

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => BackendResponse.ReadAsync(response, CancellationToken.None));

        Assert.Contains("larger than 4194304 bytes", error.Message, StringComparison.Ordinal);
    }
}
