using System.Net.Sockets;

namespace UploadGateway.Client.Http;

/// <summary>
/// Runs one request until it succeeds, fails for good, or runs out of attempts. A <c>Retry-After</c> from the
/// gateway is honoured as given (RFC 9110 §10.2.3; capped by <see cref="RetryOptions.MaxDelay"/>); otherwise
/// exponential back-off with jitter, so that parallel part uploads refused together do not return together.
/// </summary>
internal sealed class RetryPolicy
{
    private readonly RetryOptions _options;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;

    public RetryPolicy(RetryOptions options, TimeSpan attemptTimeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _options = options;
        _attemptTimeout = attemptTimeout;
        _time = time;
    }

    /// <param name="attempt">One attempt; throws <see cref="GatewayException"/> for refusals.</param>
    /// <param name="idempotent">
    /// Whether a request that may have reached the gateway can be repeated: true for reads, parts (a repeated
    /// part with the same bytes is a no-op), complete and abort; false for create, where a lost answer would
    /// leave a second session behind. Explicit refusals (429/503) are retried either way: nothing was done.
    /// </param>
    /// <param name="retrying">Told of each retry (the failure and the wait), e.g. to count retries for progress reports.</param>
    public async Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> attempt, bool idempotent, CancellationToken cancellationToken, Action<Exception, TimeSpan>? retrying = null)
    {
        for (var number = 1; ; number++)
        {
            using var timeout = new CancellationTokenSource(_attemptTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            TimeSpan wait;
            try
            {
                return await attempt(linked.Token).ConfigureAwait(false);
            }
            catch (GatewayException e) when (e.IsRetryable && number < _options.MaxAttempts)
            {
                wait = e.RetryAfter ?? Backoff(number);
                retrying?.Invoke(e, wait);
            }
            catch (Exception e) when ((idempotent || NeverSent(e)) && number < _options.MaxAttempts && IsTransient(e, cancellationToken, timeout.Token))
            {
                wait = Backoff(number);
                retrying?.Invoke(e, wait);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The gateway did not answer within {_attemptTimeout}.", e);
            }
            await Task.Delay(Min(wait, _options.MaxDelay), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Exponential, with "equal jitter": half the step fixed, half random.</summary>
    internal TimeSpan Backoff(int failedAttempts)
    {
        var step = _options.InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempts - 1, 20));
        step = Math.Min(step, _options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
    }

    /// <summary>
    /// A failed connection, a connection cut mid-request, or an attempt that timed out (not the caller
    /// cancelling). A local file that no longer matches what is being uploaded is not: HttpClient wraps the
    /// content's exception, so the chain is searched.
    /// </summary>
    private static bool IsTransient(Exception e, CancellationToken caller, CancellationToken timeout) => e switch
    {
        _ when Find<UploadContentMismatchException>(e) is not null => false,
        OperationCanceledException => !caller.IsCancellationRequested && timeout.IsCancellationRequested,
        HttpRequestException or IOException or SocketException => !caller.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The connection could not be made: the request never left, so even a create can be sent again.</summary>
    private static bool NeverSent(Exception e) =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };

    internal static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
