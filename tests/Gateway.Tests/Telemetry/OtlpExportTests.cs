using System.Collections.Concurrent;
using System.Text;
using Gateway.Hosting;
using Gateway.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TestSupport;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// The wire: with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces, metrics and logs leave over OTLP, each service
/// under its own <c>service.name</c>. The receiver here stands where the collector would.
/// </summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("grpc")]
    [InlineData("http/protobuf")]
    public async Task Traces_metrics_and_logs_go_over_OTLP_to_the_configured_endpoint_named_by_service(string protocol)
    {
        var received = new ConcurrentQueue<(string Signal, byte[] Body)>();
        await using var collector = await StartReceiverAsync(protocol, received);
        void Otlp(Dictionary<string, string?> settings)
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.ToString();
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol;
            settings["Logging:LogLevel:Default"] = "Information";
        }

        var system = await GatewayHarness.StartAsync(gateway: Otlp, sandbox: Otlp);
        await using (system)
        {
            using var client = new ContractClient(system.Client());
            var id = (await client.CreateSandboxFileAsync(GatewayHarness.PartSize, "/workspace/exported.bin")).GetProperty("upload_id").GetString()!;
            await client.PutPartOkAsync(id, 1, new byte[GatewayHarness.PartSize], GatewayHarness.PartSize);
        }
        // Stopping the services flushed their exporters.

        Assert.Contains(received, r => r.Signal == "traces" && Has(r.Body, ServiceName("gateway")) && Has(r.Body, "upload part"));
        Assert.Contains(received, r => r.Signal == "traces" && Has(r.Body, ServiceName("mock-sandbox")));
        Assert.Contains(received, r => r.Signal == "metrics" && Has(r.Body, ServiceName("gateway")) && Has(r.Body, "gateway.parts.accepted"));
        Assert.Contains(received, r => r.Signal == "logs" && Has(r.Body, ServiceName("gateway")) && Has(r.Body, "Created upload"));
        Assert.All(received, r => Assert.True(Has(r.Body, "service.instance.id") && Has(r.Body, "deployment.environment.name"), r.Signal));
    }

    [Fact]
    public async Task An_OTLP_endpoint_that_is_not_a_URL_stops_the_start_with_a_clear_message()
    {
        var settings = new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "localhost:4317" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), settings));

        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URL", error.Message);
    }

    /// <summary>
    /// Where the collector would be: OTLP over HTTP (<c>POST /v1/{signal}</c>) or over gRPC (HTTP/2 without TLS,
    /// <c>POST /opentelemetry.proto.collector.{signal}.v1.{Service}/Export</c>, length-prefixed messages and a
    /// <c>grpc-status</c> trailer), keeping each request's body.
    /// </summary>
    private static Task<LoopbackApp> StartReceiverAsync(string protocol, ConcurrentQueue<(string Signal, byte[] Body)> received)
    {
        async Task<byte[]> ReadAsync(HttpRequest request)
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            return body.ToArray();
        }
        if (protocol == "http/protobuf")
        {
            return LoopbackApp.StartAsync(_ => { }, app => app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
            {
                received.Enqueue((signal, await ReadAsync(request)));
                // An empty Export*ServiceResponse is an empty protobuf message.
                return Results.Bytes([], "application/x-protobuf");
            }));
        }
        return LoopbackApp.StartAsync(
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2)),
            app => app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", async (string signal, HttpContext context) =>
            {
                // The gRPC services are named trace, metrics and logs.
                received.Enqueue((signal == "trace" ? "traces" : signal, await ReadAsync(context.Request)));
                context.Response.ContentType = "application/grpc";
                // One uncompressed, empty response message, then the status in the trailers.
                await context.Response.Body.WriteAsync(new byte[5]);
                context.Response.AppendTrailer("grpc-status", "0");
            }));
    }

    /// <summary>
    /// The resource attribute as protobuf encodes it: KeyValue{key: "service.name", value: AnyValue{string_value}},
    /// so the test finds the service's name where the resource puts it, not any string that happens to match.
    /// </summary>
    private static byte[] ServiceName(string name)
    {
        var key = "\n\fservice.name"u8.ToArray();
        var value = Encoding.UTF8.GetBytes(name);
        return [.. key, 0x12, (byte)(value.Length + 2), 0x0A, (byte)value.Length, .. value];
    }

    private static bool Has(byte[] body, string text) => Has(body, Encoding.UTF8.GetBytes(text));

    private static bool Has(byte[] body, byte[] bytes) => body.AsSpan().IndexOf(bytes) >= 0;
}
