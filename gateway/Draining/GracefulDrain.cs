using Microsoft.Extensions.Options;

namespace Gateway.Draining;

/// <summary>
/// The drain on SIGTERM (or any host stop): <c>/readyz</c> answers 503 at once (<see cref="DrainingCheck"/>),
/// every request is served for <see cref="DrainOptions.Delay"/>, then the requests in flight get up to
/// <see cref="DrainOptions.Limit"/> to finish and the rest are cut. Only then does the host go on to stop
/// Kestrel and the background services, which release what they hold (webhook shard leases, the instance's
/// membership) so others take over at once rather than when leases lapse.
/// </summary>
/// <remarks>
/// A lifecycle service's <see cref="StoppingAsync"/> runs before any hosted service's <c>StopAsync</c>, Kestrel's
/// included, so the listener still accepts while the load balancers catch up. A part cut at the limit fails
/// before its end is recorded: the part path releases its lease and counts nothing, the client was told nothing,
/// and sends it again to another instance (a part recorded just before the cut is accepted again as the same bytes).
/// </remarks>
internal sealed class GracefulDrain(
    InFlightRequests requests,
    IHostApplicationLifetime lifetime,
    IOptions<DrainOptions> options,
    TimeProvider time,
    ILogger<GracefulDrain> logger) : IHostedLifecycleService
{
    private CancellationTokenRegistration _onStopping;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // At once on SIGTERM: ApplicationStopping fires before any service is asked to stop.
        _onStopping = lifetime.ApplicationStopping.Register(Begin);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Begin();
        var drain = options.Value;
        await Task.Delay(drain.Delay, time, CancellationToken.None);
        var inFlight = requests.Count;
        if (inFlight > 0)
        {
            Log.Waiting(logger, inFlight, drain.Limit);
            try
            {
                await requests.IdleAsync().WaitAsync(drain.Limit, time, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                Log.Cut(logger, requests.AbortAll(), drain.Limit);
                return;
            }
        }
        Log.Drained(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _onStopping.Dispose();
        return Task.CompletedTask;
    }

    private void Begin()
    {
        if (requests.BeginDraining())
        {
            Log.Draining(logger, options.Value.Delay);
        }
    }
}
