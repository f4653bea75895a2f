using System.Net;
using System.Net.Http.Headers;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Auth;

public sealed class ApiKeyTests
{
    /// <summary>Every endpoint of the API, as (method, path).</summary>
    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", SandboxMockHost.UploadsUrl() },
        { "GET", SandboxMockHost.UploadUrl("upload_00000000000000000000000000000000") },
        { "PUT", SandboxMockHost.PartUrl("upload_00000000000000000000000000000000", 0) },
        { "POST", SandboxMockHost.UploadUrl("upload_00000000000000000000000000000000") + "/complete" },
        { "DELETE", SandboxMockHost.UploadUrl("upload_00000000000000000000000000000000") },
        { "PUT", SandboxMockHost.FileUrl("/workspace/x") },
        { "GET", SandboxMockHost.FileUrl("/workspace/x") },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_request_without_an_api_key_is_401_missing_api_key(string method, string path)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var client = mock.App.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent([]) });
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "missing_api_key");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_request_with_an_unknown_api_key_is_401_unauthorized(string method, string path)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var client = mock.App.CreateClient("not-the-key");
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent([]) });
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Another_authorization_scheme_is_401_unauthorized()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var client = mock.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("user:test-sandbox-key"u8));
        using var response = await client.GetAsync(SandboxMockHost.FileUrl("/workspace/x"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Every_configured_key_is_accepted()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:ApiKeys:1"] = "second-key" });
        using var client = mock.App.CreateClient("second-key");
        using var response = await client.GetAsync(SandboxMockHost.FileUrl("/workspace/none"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }
}
