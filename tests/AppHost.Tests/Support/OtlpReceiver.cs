using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AppHost.Tests.Support;

/// <summary>One span as an OTLP exporter sent it, with the <c>service.name</c> of its resource.</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name);

/// <summary>
/// A stand-in for the Aspire dashboard's OTLP receiver: OTLP over gRPC (HTTP/2 without TLS) on a loopback port,
/// the transport and the <c>x-otlp-api-key</c> header the AppHost tells every service to use. It keeps the spans of
/// every trace export whose key is right and answers every export (traces, metrics, logs) with an empty success.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpReceiver(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
        _app.MapPost("/{**method}", HandleAsync);
    }

    public string ApiKey { get; }

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans.ToArray();

    /// <summary>Exports refused for a missing or wrong API key.</summary>
    public int Refused => _refused;

    private int _refused;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var receiver = new OtlpReceiver(builder.Build(), Guid.NewGuid().ToString("N"));
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        context.Response.ContentType = "application/grpc";
        if (context.Request.Headers["x-otlp-api-key"] != ApiKey)
        {
            Interlocked.Increment(ref _refused);
            context.Response.AppendTrailer("grpc-status", "16"); // UNAUTHENTICATED
            return;
        }
        if (context.Request.Path == TraceExport)
        {
            // gRPC's framing: one byte (compressed?), four bytes of length, then the message.
            var message = body.ToArray();
            if (message.Length >= 5 && message[0] == 0)
            {
                Collect(new CodedInputStream(message, 5, message.Length - 5));
            }
        }
        // An empty Export…ServiceResponse: full success.
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private void Collect(CodedInputStream request)
    {
        while (request.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                CollectResourceSpans(new CodedInputStream(request.ReadBytes().ToByteArray()));
            }
            else
            {
                request.SkipLastField();
            }
        }
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }; ScopeSpans { repeated Span spans = 2; }
    private void CollectResourceSpans(CodedInputStream resourceSpans)
    {
        var service = "";
        var spans = new List<ByteString>();
        while (resourceSpans.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    service = ServiceName(new CodedInputStream(resourceSpans.ReadBytes().ToByteArray())) ?? "";
                    break;
                case 2:
                    var scope = new CodedInputStream(resourceSpans.ReadBytes().ToByteArray());
                    while (scope.ReadTag() is var scopeTag and not 0)
                    {
                        if (WireFormat.GetTagFieldNumber(scopeTag) == 2)
                        {
                            spans.Add(scope.ReadBytes());
                        }
                        else
                        {
                            scope.SkipLastField();
                        }
                    }
                    break;
                default:
                    resourceSpans.SkipLastField();
                    break;
            }
        }
        foreach (var span in spans)
        {
            _spans.Enqueue(ReadSpan(service, new CodedInputStream(span.ToByteArray())));
        }
    }

    // Resource { repeated KeyValue attributes = 1; }; KeyValue { string key = 1; AnyValue value = 2; }; AnyValue { string string_value = 1; }
    private static string? ServiceName(CodedInputStream resource)
    {
        string? name = null;
        while (resource.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                resource.SkipLastField();
                continue;
            }
            var attribute = new CodedInputStream(resource.ReadBytes().ToByteArray());
            string? key = null;
            string? value = null;
            while (attribute.ReadTag() is var attributeTag and not 0)
            {
                switch (WireFormat.GetTagFieldNumber(attributeTag))
                {
                    case 1:
                        key = attribute.ReadString();
                        break;
                    case 2:
                        var any = new CodedInputStream(attribute.ReadBytes().ToByteArray());
                        while (any.ReadTag() is var anyTag and not 0)
                        {
                            if (WireFormat.GetTagFieldNumber(anyTag) == 1)
                            {
                                value = any.ReadString();
                            }
                            else
                            {
                                any.SkipLastField();
                            }
                        }
                        break;
                    default:
                        attribute.SkipLastField();
                        break;
                }
            }
            if (key == "service.name")
            {
                name = value;
            }
        }
        return name;
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; … }
    private static ReceivedSpan ReadSpan(string service, CodedInputStream span)
    {
        string traceId = "", spanId = "", parentSpanId = "", name = "";
        while (span.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    traceId = Convert.ToHexStringLower(span.ReadBytes().Span);
                    break;
                case 2:
                    spanId = Convert.ToHexStringLower(span.ReadBytes().Span);
                    break;
                case 4:
                    parentSpanId = Convert.ToHexStringLower(span.ReadBytes().Span);
                    break;
                case 5:
                    name = span.ReadString();
                    break;
                default:
                    span.SkipLastField();
                    break;
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parentSpanId, name);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
