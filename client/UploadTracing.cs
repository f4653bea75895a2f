using System.Diagnostics;

namespace UploadGateway.Client;

/// <summary>
/// One trace per upload. Create, every part and complete run under one activity, so HttpClient sends the same
/// trace id with each request and the gateway's and the backends' spans of one upload form one trace.
/// </summary>
public static class UploadTracing
{
    /// <summary>The client's ActivitySource: add it to your tracer (<c>AddSource</c>) to record the upload spans too.</summary>
    public const string SourceName = "UploadGateway.Client";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// An activity for one whole upload: the application's own when it listens to <see cref="SourceName"/>
    /// (a child of its current trace, if any), else a bare one that only carries the trace context.
    /// </summary>
    internal static Activity Start(string operation)
    {
        if (Source.StartActivity(operation, ActivityKind.Client) is { } recorded)
        {
            return recorded;
        }
        var bare = new Activity(operation);
        if (Activity.Current is null)
        {
            // Nobody records this span, but the gateway should still sample the upload's trace as one.
            bare.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        }
        return bare.Start();
    }
}
