namespace Gateway.Draining;

/// <summary>
/// The requests this instance is serving (probes excepted) and whether it is draining: what the drain waits for,
/// and cuts when its limit has passed.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly Lock _gate = new();
    private readonly HashSet<HttpContext> _requests = [];
    private TaskCompletionSource? _idle;
    private volatile bool _draining;

    public bool Draining => _draining;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Turns <c>/readyz</c> 503; true the first time only.</summary>
    public bool BeginDraining()
    {
        lock (_gate)
        {
            var first = !_draining;
            _draining = true;
            return first;
        }
    }

    public void Add(HttpContext context)
    {
        lock (_gate)
        {
            _requests.Add(context);
        }
    }

    public void Remove(HttpContext context)
    {
        lock (_gate)
        {
            _requests.Remove(context);
            if (_requests.Count == 0)
            {
                _idle?.TrySetResult();
                _idle = null;
            }
        }
    }

    /// <summary>Completes when no request is in flight.</summary>
    public Task IdleAsync()
    {
        lock (_gate)
        {
            if (_requests.Count == 0)
            {
                return Task.CompletedTask;
            }
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>Cuts every request still in flight (their connections are closed); returns how many.</summary>
    public int AbortAll()
    {
        HttpContext[] requests;
        lock (_gate)
        {
            requests = [.. _requests];
        }
        foreach (var request in requests)
        {
            request.Abort();
        }
        return requests.Length;
    }
}
