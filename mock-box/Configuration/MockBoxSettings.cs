using Microsoft.Extensions.Options;

namespace MockBox.Configuration;

/// <summary>
/// The part of the configuration a test may change while the mock runs (through <c>/_mock/settings</c>).
/// Starts from <see cref="MockBoxOptions"/> and returns to it on reset. A session copies what it needs
/// when it is created, so a change affects only sessions created afterwards (the 202 count: commits
/// that have not been answered yet).
/// </summary>
internal sealed class MockBoxSettings
{
    private readonly Lock _lock = new();
    private readonly MockBoxOptions _options;
    private Snapshot _current;

    public MockBoxSettings(IOptions<MockBoxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _current = Initial(_options);
    }

    public Snapshot Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public Snapshot Update(Func<Snapshot, Snapshot> change)
    {
        lock (_lock)
        {
            _current = change(_current);
            return _current;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _current = Initial(_options);
        }
    }

    private static Snapshot Initial(MockBoxOptions options) =>
        new(options.PartSize, options.MinFileSize, options.SessionTtl, options.CommitAcceptedResponses);

    internal sealed record Snapshot(long PartSize, long MinFileSize, TimeSpan SessionTtl, int CommitAcceptedResponses);
}
