using System.Net;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Errors;

public sealed class ErrorEnvelopeTests
{
    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/v2/sandboxes/sb_test0001/uploads")]
    [InlineData("POST", "/v1/sandboxes/sb_test0001/uploads/upload_x/parts/0")]
    [InlineData("PATCH", "/v1/sandboxes/sb_test0001/uploads/upload_x")]
    [InlineData("GET", "/favicon.ico")]
    public async Task Unknown_routes_are_404_not_found_in_the_envelope(string method, string path)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_errors_repeat_it()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var ok = await mock.PostCreateAsync(SandboxMockHost.FileBody(1));
        Assert.StartsWith("req_", ok.Headers.GetValues("X-Request-Id").Single());
        using var first = await mock.Client.GetAsync("/nowhere");
        using var second = await mock.Client.GetAsync("/nowhere");
        var a = (await ApiAssert.ErrorAsync(first, HttpStatusCode.NotFound, "not_found")).GetProperty("request_id").GetString();
        var b = (await ApiAssert.ErrorAsync(second, HttpStatusCode.NotFound, "not_found")).GetProperty("request_id").GetString();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Optional_members_are_left_out_when_empty()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.Client.GetAsync("/nowhere");
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.False(error.TryGetProperty("hint", out _));
        Assert.False(error.TryGetProperty("details", out _));
    }

    [Theory]
    [InlineData("""{"kind": 5, "source_kind": [], "target_path": {}, "content_length": 1e400}""", 400, "invalid_fields")]
    [InlineData("""{"kind":"file","source_kind":"restartable_file","target_path":"/tmp/x","content_length":18446744073709551616}""", 400, "invalid_fields")]
    [InlineData("""{"kind":"file","source_kind":"restartable_file","target_path":"/tmp/x","content_length":1.5}""", 400, "invalid_fields")]
    [InlineData("""{"kind":"file","source_kind":"restartable_file","target_path":"\ud800","content_length":1}""", 400, "invalid_fields")]
    [InlineData("null", 400, "invalid_request")]
    [InlineData("\"string\"", 400, "invalid_request")]
    [InlineData("""{"kind":"file","source_kind":"restartable_file","target_path":"/tmp/x","content_length":1,"metadata":{"a":[{"b":null}]},"user":null}""", 201, null)]
    public async Task Odd_bodies_get_a_precise_answer_never_a_500(string body, int status, string? code)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, SandboxMockHost.UploadsUrl())
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await mock.Client.SendAsync(request);
        if (code is null)
        {
            await ApiAssert.JsonAsync(response, (HttpStatusCode)status);
        }
        else
        {
            await ApiAssert.ErrorAsync(response, (HttpStatusCode)status, code);
        }
    }
}
