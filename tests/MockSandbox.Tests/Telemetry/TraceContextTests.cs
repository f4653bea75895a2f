using System.Collections.Concurrent;
using System.Diagnostics;
using MockSandbox.Tests.Support;
using OpenTelemetry;

namespace MockSandbox.Tests.Telemetry;

public sealed class TraceContextTests
{
    [Fact]
    public async Task An_incoming_w3c_traceparent_is_the_parent_of_the_request_span()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parentId = ActivitySpanId.CreateRandom();
        var seen = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    seen.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var mock = await SandboxMockHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, SandboxMockHost.FileUrl("/workspace/none"));
        request.Headers.Add("traceparent", $"00-{traceId}-{parentId}-01");
        // Sent as another process would send it: this process's own HttpClient instrumentation (the mock's
        // service defaults listen process-wide) would otherwise replace the header with a span of its own.
        HttpResponseMessage response;
        using (SuppressInstrumentationScope.Begin())
        {
            response = await mock.Client.SendAsync(request);
        }
        using var sent = response;

        await Eventually.HoldsAsync(() => Task.FromResult(!seen.IsEmpty), "the request span ends");
        var span = Assert.Single(seen);
        Assert.Equal(parentId, span.ParentSpanId);
    }
}
