using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Security;

/// <summary>Everything logged, at every level, with exceptions, scopes and structured state, as text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}[{eventId}] {formatter(state, exception)} {exception}";
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                line += " " + string.Join(' ', values.Select(v => $"{v.Key}={v.Value}"));
            }
            owner._scopes.ForEachScope((scope, text) => text.Add(" scope:" + scope), new List<string>());
            owner.Lines.Enqueue(line);
        }
    }
}

/// <summary>Every span of every ActivitySource in the process, with its tags, events and status, as text.</summary>
public sealed class CapturingActivityListener : IDisposable
{
    private readonly ActivityListener _listener;

    public CapturingActivityListener()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Spans.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<string> Spans { get; } = new();

    public void Dispose() => _listener.Dispose();

    private static string Describe(Activity activity) =>
        $"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} {activity.StatusDescription} " +
        string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " +
        string.Join(' ', activity.Events.Select(e => e.Name + " " + string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}")))) + " " +
        string.Join(' ', activity.Baggage.Select(b => $"{b.Key}={b.Value}"));
}
