namespace UploadGateway.Client.Uploads;

/// <summary>
/// Counts an upload's bytes and parts as its workers report them, and turns that into
/// <see cref="UploadProgress"/>: throttled, with throughput over a short sliding window (so a stall shows
/// quickly) and the time left at that rate. Safe to call from every part worker at once.
/// </summary>
internal sealed class ProgressMeter
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private readonly string _uploadId;
    private readonly long _total;
    private readonly int _partCount;
    private readonly IProgress<UploadProgress>? _sink;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, long> _inFlight = [];
    private readonly Queue<(long Timestamp, long WireBytes)> _samples = new();
    private long _accepted;
    private int _partsDone;
    private long _wireBytes;
    private int _retries;
    private long? _lastReport;
    private UploadPhase _phase = UploadPhase.Uploading;

    public ProgressMeter(string uploadId, long total, int partCount, long acceptedBytes, int partsDone,
        IProgress<UploadProgress>? sink, TimeSpan interval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _uploadId = uploadId;
        _total = total;
        _partCount = partCount;
        _accepted = acceptedBytes;
        _partsDone = partsDone;
        _sink = sink;
        _interval = interval;
        _time = time;
        _samples.Enqueue((time.GetTimestamp(), 0));
    }

    public int Retries
    {
        get
        {
            lock (_lock)
            {
                return _retries;
            }
        }
    }

    /// <summary>Bytes of part <paramref name="part"/> just written to the connection.</summary>
    public void Sent(int part, long bytes) => Update(force: false, () =>
    {
        _inFlight[part] = _inFlight.GetValueOrDefault(part) + bytes;
        _wireBytes += bytes;
    });

    /// <summary>Part <paramref name="part"/> is being sent again: what it had sent no longer counts as uploaded.</summary>
    public void Retrying(int part) => Update(force: false, () =>
    {
        _inFlight.Remove(part);
        _retries++;
    });

    public void Accepted(int part, long size) => Update(force: true, () =>
    {
        _inFlight.Remove(part);
        _accepted += size;
        _partsDone++;
    });

    public void Enter(UploadPhase phase) => Update(force: true, () =>
    {
        _phase = phase;
        if (phase == UploadPhase.Completed)
        {
            _accepted = _total;
            _partsDone = _partCount;
        }
    });

    private void Update(bool force, Action change)
    {
        UploadProgress? report = null;
        lock (_lock)
        {
            change();
            var now = _time.GetTimestamp();
            if (_sink is not null && (force || _lastReport is not { } last || _time.GetElapsedTime(last, now) >= _interval))
            {
                _lastReport = now;
                report = Snapshot(now);
            }
        }
        if (report is not null)
        {
            _sink!.Report(report);
        }
    }

    private UploadProgress Snapshot(long now)
    {
        _samples.Enqueue((now, _wireBytes));
        while (_samples.Count > 2 && _time.GetElapsedTime(_samples.Peek().Timestamp, now) > Window)
        {
            _samples.Dequeue();
        }
        var (since, bytesThen) = _samples.Peek();
        var seconds = _time.GetElapsedTime(since, now).TotalSeconds;
        var rate = seconds >= 0.25 ? (_wireBytes - bytesThen) / seconds : 0;
        var uploaded = Math.Min(_total, _accepted + _inFlight.Values.Sum());
        TimeSpan? remaining = _phase != UploadPhase.Uploading ? TimeSpan.Zero
            : rate > 0 ? TimeSpan.FromSeconds((_total - uploaded) / rate)
            : null;
        return new UploadProgress(_uploadId, _phase, uploaded, _total, _partsDone, _partCount, rate, remaining, _retries);
    }
}
