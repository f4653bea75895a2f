using System.Diagnostics;
using System.Net;
using System.Text;
using UploadGateway.Client;
using UploadGateway.Client.Http;

namespace Client.Tests.Http;

/// <summary>
/// Which answers the client retries and how long it waits, against a scripted <see cref="HttpMessageHandler"/>:
/// the contract's retryable codes are (honouring <c>Retry-After</c>), everything else is not.
/// </summary>
public sealed class RetryTests
{
    private const string Session = """{"upload_id":"up_1","backend":"sandbox","backend_type":"sandbox","target":{"sandbox_id":"sb_1","path":"/workspace/a"},"kind":"file","status":"created"}""";

    [Theory]
    [InlineData(429, "concurrency_limit")]
    [InlineData(429, "rate_limited")]
    [InlineData(503, "backend_unavailable")]
    [InlineData(503, "store_unavailable")]
    [InlineData(503, "hook_unavailable")]
    [InlineData(503, "storage_full")]
    public async Task A_retryable_refusal_is_retried_after_its_Retry_After(int status, string code)
    {
        var handler = new Scripted(Problem(status, code, retryAfter: 1), Ok(Session));
        using var client = Client(handler);
        var clock = Stopwatch.StartNew();

        var session = await client.GetUploadAsync("up_1");

        Assert.Equal("up_1", session.UploadId);
        Assert.Equal(2, handler.Calls);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(400, "invalid_request")]
    [InlineData(404, "not_found")]
    [InlineData(409, "part_conflict")]
    [InlineData(410, "expired")]
    [InlineData(413, "upload_too_large")]
    [InlineData(422, "quota_exceeded")]
    [InlineData(502, "backend_error")]
    [InlineData(403, "hook_rejected")]
    public async Task A_refusal_that_is_not_retryable_fails_at_once_with_its_code(int status, string code)
    {
        var handler = new Scripted(Problem(status, code, retryAfter: 1), Ok(Session));
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<GatewayException>(() => client.GetUploadAsync("up_1"));

        Assert.Equal(1, handler.Calls);
        Assert.Equal(code, error.Code);
        Assert.Equal(status, (int)error.Status);
        Assert.Equal("up_1", error.UploadId);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task Retries_stop_after_MaxAttempts_with_the_last_refusal()
    {
        var handler = new Scripted(Enumerable.Repeat(Problem(503, "backend_unavailable"), 10).ToArray());
        using var client = Client(handler, new RetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<GatewayException>(() => client.GetBackendsAsync());

        Assert.Equal(3, handler.Calls);
        Assert.Equal("backend_unavailable", error.Code);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task A_create_is_not_repeated_after_a_connection_cut_mid_request_but_is_after_a_refusal()
    {
        var cut = new Scripted(_ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "cut"), Ok(Session));
        using var cutClient = Client(cut);
        var refused = new Scripted(Problem(429, "rate_limited"), Created(Session));
        using var refusedClient = Client(refused);
        var request = new CreateUploadRequest { Backend = "sandbox", Target = UploadTarget.Sandbox("sb_1", "/workspace/a"), ContentLength = 1 };

        await Assert.ThrowsAsync<HttpRequestException>(() => cutClient.CreateUploadAsync(request));
        var created = await refusedClient.CreateUploadAsync(request);

        Assert.Equal(1, cut.Calls);
        Assert.Equal(2, refused.Calls);
        Assert.Equal("up_1", created.UploadId);
    }

    [Fact]
    public async Task A_create_is_repeated_when_the_connection_could_not_even_be_made()
    {
        var handler = new Scripted(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"), Created(Session));
        using var client = Client(handler);

        var created = await client.CreateUploadAsync(new() { Backend = "sandbox", Target = UploadTarget.Sandbox("sb_1", "/workspace/a"), ContentLength = 1 });

        Assert.Equal(2, handler.Calls);
        Assert.Equal("up_1", created.UploadId);
    }

    [Fact]
    public async Task Reads_are_repeated_after_a_connection_cut()
    {
        var handler = new Scripted(_ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "cut"), Ok(Session));
        using var client = Client(handler);

        await client.GetUploadAsync("up_1");

        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried_and_the_last_one_reports_a_timeout()
    {
        var handler = new Scripted(Enumerable.Repeat<Func<CancellationToken, Task<HttpResponseMessage>>>(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new UnreachableException();
        }, 2).ToArray());
        using var client = new GatewayClient(new HttpClient(handler), new GatewayClientOptions
        {
            BaseAddress = new Uri("http://gateway.test"),
            ApiKey = "k",
            RequestTimeout = TimeSpan.FromMilliseconds(100),
            Retry = new RetryOptions { MaxAttempts = 2, InitialDelay = TimeSpan.FromMilliseconds(1) },
        });

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetUploadAsync("up_1"));

        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Cancelling_stops_a_retry_wait_at_once()
    {
        var handler = new Scripted(Problem(503, "store_unavailable", retryAfter: 30), Ok(Session));
        using var client = Client(handler, new RetryOptions { MaxDelay = TimeSpan.FromMinutes(1) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetUploadAsync("up_1", cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Retry_After_longer_than_MaxDelay_is_cut_to_MaxDelay()
    {
        var handler = new Scripted(Problem(429, "rate_limited", retryAfter: 3600), Ok(Session));
        using var client = Client(handler, new RetryOptions { MaxDelay = TimeSpan.FromMilliseconds(50) });
        var clock = Stopwatch.StartNew();

        await client.GetUploadAsync("up_1");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Back_off_doubles_per_attempt_within_its_jitter_and_stops_at_MaxDelay()
    {
        var policy = new RetryPolicy(new RetryOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
            TimeSpan.FromMinutes(1), TimeProvider.System);

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(policy.Backoff(1).TotalMilliseconds, 50, 100);
            Assert.InRange(policy.Backoff(3).TotalMilliseconds, 200, 400);
            Assert.InRange(policy.Backoff(30).TotalMilliseconds, 500, 1000);
        }
    }

    [Fact]
    public async Task A_base_address_with_a_path_keeps_it()
    {
        var handler = new Scripted(Ok(Session));
        using var client = new GatewayClient(new HttpClient(handler), new GatewayClientOptions { BaseAddress = new Uri("http://gateway.test/upload-gw"), ApiKey = "secret" });

        await client.GetUploadAsync("up_1");

        Assert.Equal("http://gateway.test/upload-gw/v1/uploads/up_1", handler.LastRequest!.RequestUri!.ToString());
        Assert.Equal("Bearer secret", handler.LastRequest.Headers.Authorization!.ToString());
    }

    private static GatewayClient Client(HttpMessageHandler handler, RetryOptions? retry = null) =>
        new(new HttpClient(handler), new GatewayClientOptions
        {
            BaseAddress = new Uri("http://gateway.test"),
            ApiKey = "k",
            Retry = retry ?? new RetryOptions { InitialDelay = TimeSpan.FromMilliseconds(1) },
        });

    private static Func<CancellationToken, Task<HttpResponseMessage>> Problem(int status, string code, int? retryAfter = null) => _ =>
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(
                $$"""{"type":"/errors/{{code}}","title":"t","status":{{status}},"detail":"d","code":"{{code}}","upload_id":"up_1","trace_id":"abc"}""",
                Encoding.UTF8, "application/problem+json"),
        };
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = new(TimeSpan.FromSeconds(seconds));
        }
        return Task.FromResult(response);
    };

    private static Func<CancellationToken, Task<HttpResponseMessage>> Ok(string json) => _ =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    private static Func<CancellationToken, Task<HttpResponseMessage>> Created(string json) => _ =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    /// <summary>Answers each request with the next step of a script.</summary>
    private sealed class Scripted(params Func<CancellationToken, Task<HttpResponseMessage>>[] steps) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        public HttpRequestMessage? LastRequest { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastRequest = request;
            var step = Interlocked.Increment(ref _calls) - 1;
            return step < steps.Length ? steps[step](cancellationToken) : throw new InvalidOperationException($"Unexpected request {step + 1}: {request.RequestUri}");
        }
    }
}
