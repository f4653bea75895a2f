using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Tests.Security;

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
