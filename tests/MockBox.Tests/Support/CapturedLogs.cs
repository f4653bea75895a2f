using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MockBox.Tests.Support;

/// <summary>
/// The mock's own log events (categories <c>MockBox.*</c>), kept in memory so a test can wait for the
/// server's verdict on a request whose client has gone away, instead of guessing with a sleep.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(int EventId, string Message)> _entries = new();

    public IReadOnlyCollection<(int EventId, string Message)> Entries => _entries;

    public async Task<(int EventId, string Message)> WaitForAsync(Func<(int EventId, string Message), bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            foreach (var entry in _entries)
            {
                if (match(entry))
                {
                    return entry;
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("the mock never logged the expected event; logged: " + string.Join(" | ", _entries.Select(e => $"{e.EventId} {e.Message}")));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
