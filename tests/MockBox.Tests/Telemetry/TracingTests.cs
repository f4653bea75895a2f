using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MockBox.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TestSupport;

namespace MockBox.Tests.Telemetry;

public sealed class TracingTests
{
    [Fact]
    public async Task Request_is_traced_as_a_child_of_the_incoming_w3c_traceparent()
    {
        var exported = new ConcurrentQueue<Activity>();
        await using var app = await LoopbackApp.StartAsync(
            builder =>
            {
                builder.AddMockBox();
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new CaptureProcessor(exported)));
            },
            app => app.MapMockBox(),
            new Dictionary<string, string?> { ["MockBox:AccessTokens:0"] = MockBoxHost.Token });
        using var client = app.CreateClient(MockBoxHost.Token);
        var traceId = ActivityTraceId.CreateRandom();
        var parentId = ActivitySpanId.CreateRandom();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/2.0/files/upload_sessions")
        {
            Content = MockBoxHost.JsonContent("""{"folder_id":"0","file_size":30000000,"file_name":"traced.bin"}"""),
        };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{parentId}-01");

        // Sent as another process would send it: this process's own HttpClient instrumentation (the mock's
        // service defaults listen process-wide) would otherwise replace the header with a span of its own.
        HttpResponseMessage response;
        using (SuppressInstrumentationScope.Begin())
        {
            response = await client.SendAsync(request);
        }
        using var sent = response;
        await BoxAssert.StatusAsync(response, HttpStatusCode.Created);
        await app.DisposeAsync(); // flushes the tracer provider

        var server = Assert.Single(exported, activity => activity.TraceId == traceId && activity.Kind == ActivityKind.Server);
        Assert.Equal(parentId, server.ParentSpanId);
    }

    private sealed class CaptureProcessor(ConcurrentQueue<Activity> exported) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => exported.Enqueue(data);
    }
}
