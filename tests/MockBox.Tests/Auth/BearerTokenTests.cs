using System.Net;
using System.Net.Http.Headers;
using MockBox.Tests.Support;

namespace MockBox.Tests.Auth;

public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("POST", "/api/2.0/files/upload_sessions")]
    [InlineData("GET", "/api/2.0/files/upload_sessions/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("GET", "/2.0/files/1")]
    public async Task Missing_bearer_token_is_401_in_boxs_envelope_with_a_bearer_challenge(string method, string path)
    {
        await using var box = await MockBoxHost.StartAsync();
        using var anonymous = box.CreateClient(null);

        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await BoxAssert.ErrorAsync(response, 401, "unauthorized");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("error=", challenge.Parameter);
    }

    [Fact]
    public async Task Unknown_bearer_token_is_401_with_an_invalid_token_challenge()
    {
        await using var box = await MockBoxHost.StartAsync();
        using var stranger = box.CreateClient("not-a-token");

        using var response = await stranger.PostAsync("/api/2.0/files/upload_sessions", MockBoxHost.JsonContent("{}"));

        await BoxAssert.ErrorAsync(response, 401, "unauthorized");
        Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task Credentials_of_another_scheme_count_as_no_bearer_token()
    {
        await using var box = await MockBoxHost.StartAsync();
        using var client = box.CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", MockBoxHost.Token);

        using var response = await client.GetAsync("/2.0/files/1");

        await BoxAssert.ErrorAsync(response, 401, "unauthorized");
    }

    [Fact]
    public async Task Every_configured_token_is_accepted()
    {
        await using var box = await MockBoxHost.StartAsync();
        using var other = box.CreateClient(MockBoxHost.OtherToken);

        using var response = await other.PostAsync("/api/2.0/files/upload_sessions",
            MockBoxHost.JsonContent("""{"folder_id":"0","file_size":1000,"file_name":"a.bin"}"""));

        await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
    }
}
