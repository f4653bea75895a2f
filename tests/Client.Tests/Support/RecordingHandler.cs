using System.Collections.Concurrent;

namespace Client.Tests.Support;

/// <summary>
/// Sits between a <see cref="UploadGateway.Client.GatewayClient"/> and the network and records what the client
/// sent: every request (method and path), and the most part uploads it had in flight at once.
/// </summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<(HttpMethod Method, string Path, int Status)> _requests = new();
    private int _partsInFlight;
    private int _maxPartsInFlight;

    public int MaxPartsInFlight => Volatile.Read(ref _maxPartsInFlight);

    public IReadOnlyList<(HttpMethod Method, string Path, int Status)> Requests => [.. _requests];

    public int Count(HttpMethod method, string pathContains) =>
        _requests.Count(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal));

    /// <summary>Part numbers of the part uploads the gateway accepted, in the order they were answered.</summary>
    public IReadOnlyList<int> PartsSent => [.. _requests
        .Where(r => r.Method == HttpMethod.Put && r.Status == 200)
        .Select(r => int.Parse(r.Path[(r.Path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isPart = request.Method == HttpMethod.Put;
        if (isPart)
        {
            var now = Interlocked.Increment(ref _partsInFlight);
            for (var max = Volatile.Read(ref _maxPartsInFlight); now > max; max = Volatile.Read(ref _maxPartsInFlight))
            {
                Interlocked.CompareExchange(ref _maxPartsInFlight, now, max);
            }
        }
        var status = 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            return response;
        }
        finally
        {
            if (isPart)
            {
                Interlocked.Decrement(ref _partsInFlight);
            }
            _requests.Enqueue((request.Method, request.RequestUri!.AbsolutePath, status));
        }
    }
}
