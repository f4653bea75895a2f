using System.Security.Cryptography;
using System.Text;
using Gateway.Events;

namespace Gateway.Tests.Events;

public sealed class StandardWebhooksTests
{
    // The specification's own example (standard-webhooks, libraries' test vectors): this secret, id, timestamp
    // and body sign to exactly this value.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string Body = """{"test": 2432232314}""";
    private static readonly DateTimeOffset Timestamp = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    [Fact]
    public void The_signature_matches_the_specifications_test_vector()
    {
        Assert.True(StandardWebhooks.TryReadSecret(Secret, out var key));
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", StandardWebhooks.Sign(key, Id, Timestamp, Encoding.UTF8.GetBytes(Body)));
    }

    [Fact]
    public void The_signature_is_an_HMAC_SHA256_of_id_timestamp_and_body()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Id}.1614265330.{Body}"));
        Assert.Equal("v1," + Convert.ToBase64String(expected), StandardWebhooks.Sign(key, Id, Timestamp, Encoding.UTF8.GetBytes(Body)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    public void Anything_but_a_whsec_secret_of_at_least_16_bytes_is_refused(string? secret)
    {
        Assert.False(StandardWebhooks.TryReadSecret(secret, out _));
    }

    [Fact]
    public void A_request_gets_all_three_headers()
    {
        Assert.True(StandardWebhooks.TryReadSecret(Secret, out var key));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/");
        StandardWebhooks.AddHeaders(request, key, Id, Timestamp, Encoding.UTF8.GetBytes(Body));
        Assert.Equal(Id, request.Headers.GetValues("webhook-id").Single());
        Assert.Equal("1614265330", request.Headers.GetValues("webhook-timestamp").Single());
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", request.Headers.GetValues("webhook-signature").Single());
    }
}
