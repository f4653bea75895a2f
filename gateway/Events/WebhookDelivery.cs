using Gateway.Sessions;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Events;

/// <summary>
/// Runs on every instance: for each endpoint and shard a <see cref="ShardDelivery"/> that delivers while it holds
/// that shard's lease (one that dies hands its own over when its leases lapse), a heartbeat (this instance's
/// membership of each endpoint, kept by a <see cref="LeaseKeeper"/>) that tells how many instances share its
/// shards (<see cref="ShardShare"/>: each owns its fair share), and one trimmer that drops from the streams what
/// every endpoint has acknowledged.
/// </summary>
internal sealed class WebhookDelivery : BackgroundService
{
    /// <summary>With no endpoint configured nobody reads the streams: an event is kept this long, then trimmed.</summary>
    public static readonly TimeSpan UnreadRetention = TimeSpan.FromHours(1);

    private static readonly TimeSpan TrimInterval = TimeSpan.FromMinutes(1);

    private readonly IEventLog _events;
    private readonly IStoreLock _locks;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDelivery> _logger;
    private readonly List<(WebhookEndpoint Endpoint, ShardDelivery Shard)> _shards = [];
    private readonly Dictionary<string, ShardShare> _shares = new(StringComparer.Ordinal);
    private readonly WebhookSender _sender;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public WebhookDelivery(
        IEventLog events, IStoreLock locks, IEventDataWriter data, IOptions<WebhookOptions> options, WebhookMetrics metrics,
        TimeProvider time, ILogger<WebhookDelivery> logger)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _events = events;
        _locks = locks;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _sender = new WebhookSender(_options, time);
        foreach (var (name, endpointOptions) in _options.Endpoints)
        {
            var endpoint = new WebhookEndpoint(name, endpointOptions, _options.MaxConcurrency);
            var share = _shares[name] = new ShardShare(events.Shards);
            for (var shard = 0; shard < events.Shards; shard++)
            {
                _shards.Add((endpoint, new ShardDelivery(endpoint, shard, _consumer, events, locks, share, _sender, data, _options, metrics, time, logger)));
            }
        }
        metrics.ObserveLag(Lag);
    }

    /// <summary>Per endpoint, the oldest event this instance holds undelivered (0 when it holds none: no lag here).</summary>
    private IEnumerable<(string, TimeSpan)> Lag() =>
        _shards.GroupBy(s => s.Endpoint.Name)
            .Select(g => (g.Key, g.Select(s => s.Shard.OldestAge() ?? TimeSpan.Zero).Max()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Counted before taking any shard, so that an instance joining others does not start by taking all that is free.
        await AnnounceAsync();
        // Every third of a lease period, as leases are renewed: an instance is live while seen within a lease period,
        // so one that dies stops counting about when its leases lapse. Kept up until its leases are released.
        await using (new LeaseKeeper(_options.LeaseTtl, AnnounceAsync, _time))
        {
            await Task.WhenAll(_shards.Select(s => s.Shard.RunAsync(stoppingToken)).Append(TrimAsync(stoppingToken)));
        }
        // The leases are released by now: the others count one instance less at their next heartbeat and take them.
        foreach (var name in _shares.Keys)
        {
            try
            {
                await _events.LeaveAsync(name, _consumer);
            }
            catch (Exception e)
            {
                Log.AnnounceFailed(_logger, name, e);
            }
        }
    }

    private async Task AnnounceAsync()
    {
        foreach (var (name, share) in _shares)
        {
            try
            {
                share.SetMembers(await _events.AnnounceAsync(name, _consumer, _options.LeaseTtl));
            }
            catch (Exception e)
            {
                // The last count stands meanwhile; the store being down stops delivery anyway.
                Log.AnnounceFailed(_logger, name, e);
            }
        }
    }

    private async Task TrimAsync(CancellationToken stopping)
    {
        IReadOnlyCollection<string> groups = [.. _options.Endpoints.Keys];
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TrimInterval, _time, stopping);
                if (await _locks.TryAcquireLockAsync("webhooks:trim", _consumer, TrimInterval))
                {
                    for (var shard = 0; shard < _events.Shards; shard++)
                    {
                        var trimmed = await _events.TrimAsync(shard, groups, _time.GetUtcNow() - UnreadRetention);
                        if (trimmed > 0)
                        {
                            Log.Trimmed(_logger, trimmed, shard);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.TrimFailed(_logger, e);
            }
        }
    }

    public override void Dispose()
    {
        _sender.Dispose();
        base.Dispose();
    }
}
