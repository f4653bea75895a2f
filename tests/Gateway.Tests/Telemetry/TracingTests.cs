using System.Diagnostics;
using System.Net.Http.Json;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// Traces as a person reads them in Jaeger: one upload (create, parts, complete) under the client's span is one
/// connected trace, from the client's request through the gateway's spans and its store calls to the mock
/// backend's own server span, which can only be its child if the gateway sent a W3C <c>traceparent</c>.
/// </summary>
public sealed class TracingTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;
    private const string AspNetCore = "Microsoft.AspNetCore";
    private const string HttpClientSource = "System.Net.Http";

    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task A_whole_upload_is_one_connected_trace_from_the_client_through_gateway_and_store_to_the_backend(string backend)
    {
        await using var observed = await ObservedGateway.StartAsync(redis);
        var upload = await UploadAsync(observed, backend, parts: 3);
        var spans = upload.Spans;
        var byId = spans.ToDictionary(s => s.SpanId);
        var trace = ObservedGateway.Describe(spans);

        // Connected: every span's parent is the client's root span or another span of the trace.
        Assert.All(spans, s => Assert.True(s.ParentSpanId == upload.Root || byId.ContainsKey(s.ParentSpanId), "orphan span:\n" + trace));

        // The client's five requests (create, three parts, complete), each served by one gateway server span.
        var requests = spans.Where(s => s.ParentSpanId == upload.Root).ToList();
        Assert.Equal(5, requests.Count);
        var gatewayServerSpans = requests.Select(r => Assert.Single(spans, s => s.ParentSpanId == r.SpanId)).ToList();
        Assert.All(gatewayServerSpans, s => Assert.Equal((AspNetCore, ActivityKind.Server), (s.Source.Name, s.Kind)));

        // Each part: the gateway's span with the upload's attributes, its two store calls, and the forwarding,
        // whose HttpClient span is the parent of the backend's own server span.
        for (var n = 1; n <= 3; n++)
        {
            var part = Assert.Single(spans, s => s.DisplayName == "upload part" && Equals(s.GetTagItem("upload.part.number"), n));
            Assert.Equal(upload.Id, part.GetTagItem("upload.id"));
            Assert.Equal(backend, part.GetTagItem("upload.backend"));
            Assert.Equal((long)PartSize, part.GetTagItem("upload.part.bytes"));
            Assert.Equal("ok", part.GetTagItem("upload.outcome"));
            Assert.Contains(gatewayServerSpans, s => s.SpanId == part.ParentSpanId);
            foreach (var operation in new[] { "store begin_part", "store end_part" })
            {
                var store = Assert.Single(spans, s => s.DisplayName == operation && s.ParentSpanId == part.SpanId);
                Assert.Equal("redis", store.GetTagItem("db.system.name"));
                Assert.Equal(upload.Id, store.GetTagItem("upload.id"));
            }
            // YARP's IHttpForwarder sends the body with the cluster's HttpMessageInvoker, whose HttpClient span is the child.
            AssertReachesBackend(spans, part, upload.Backend, trace);
        }

        // The control plane: create and complete call the backend with the cluster's client, traced as well.
        foreach (var operation in new[] { "backend create", "backend complete" })
        {
            var call = Assert.Single(spans, s => s.DisplayName == operation);
            Assert.Equal(upload.Id, call.GetTagItem("upload.id"));
            Assert.Equal(backend, call.GetTagItem("upload.backend"));
            Assert.Equal("ok", call.GetTagItem("upload.outcome"));
            AssertReachesBackend(spans, call, upload.Backend, trace);
        }
    }

    [Fact]
    public async Task Log_records_written_during_a_request_carry_its_trace_and_span()
    {
        await using var observed = await ObservedGateway.StartAsync();
        var upload = await UploadAsync(observed, "sandbox", parts: 1);

        var created = Assert.Single(observed.Logs.Records, r => r.EventId.Name == "UploadCreated" && r.Message.Contains(upload.Id, StringComparison.Ordinal));
        Assert.Equal(upload.Spans[0].TraceId, created.TraceId);
        Assert.Contains(upload.Spans, s => s.SpanId == created.SpanId);
    }

    [Fact]
    public async Task No_span_of_an_upload_carries_a_credential()
    {
        await using var observed = await ObservedGateway.StartAsync(redis);
        var upload = await UploadAsync(observed, "box", parts: 2);

        string[] secrets = [GatewayHarness.AcmeKey, GatewayHarness.SandboxKey, GatewayHarness.BoxToken, "Bearer"];
        foreach (var span in upload.Spans)
        {
            foreach (var text in span.TagObjects.Select(t => t.Key + "=" + t.Value).Append(span.DisplayName))
            {
                Assert.DoesNotContain(secrets, secret => text.Contains(secret, StringComparison.OrdinalIgnoreCase));
            }
        }
    }

    [Fact]
    public async Task A_part_the_backend_refuses_is_a_failed_span_with_the_contracts_error_code()
    {
        await using var observed = await ObservedGateway.StartAsync(redis);
        using var client = new ContractClient(observed.Client());
        var id = (await client.CreateSandboxFileAsync(2 * PartSize, "/workspace/refused.bin")).GetProperty("upload_id").GetString()!;
        using (var mock = observed.System.Sandbox.CreateClient())
        {
            (await mock.PostAsJsonAsync("/_mock/faults", new { kind = "error", method = "PUT", status = 503, count = 1 })).EnsureSuccessStatusCode();
        }

        using var root = ClientSpan("client part");
        await ExpectProblemAsync(await client.PutPartAsync(id, 1, new byte[PartSize]), 503, "backend_unavailable");
        root.Stop();

        // The gateway's server span ends after its answer is written, so it can come after the mock's: wait for that one.
        var spans = await observed.TraceAsync(root.TraceId, s => s.FirstOrDefault(x => x.DisplayName == "upload part") is { } uploaded
            && s.Any(x => x.Kind == ActivityKind.Server && x.Source.Name == AspNetCore && x.SpanId == uploaded.ParentSpanId));
        var part = Assert.Single(spans, s => s.DisplayName == "upload part");
        Assert.Equal(ActivityStatusCode.Error, part.Status);
        Assert.Equal("backend_unavailable", part.GetTagItem("error.type"));
        Assert.Equal("backend_unavailable", part.GetTagItem("upload.outcome"));
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.Source.Name == AspNetCore && s.SpanId == part.ParentSpanId);
        Assert.Equal("backend_unavailable", server.GetTagItem("error.type"));
        Assert.Equal(id, server.GetTagItem("upload.id"));
    }

    /// <summary>
    /// Below <paramref name="from"/>: a gateway HttpClient span, and as its child the backend's server span,
    /// served by the mock (its port) after reading the <c>traceparent</c> the gateway sent.
    /// </summary>
    private static void AssertReachesBackend(IReadOnlyList<Activity> spans, Activity from, LoopbackApp backend, string trace)
    {
        var below = Descendants(spans, from).ToList();
        var outgoing = below.Where(s => s.Source.Name == HttpClientSource && s.Kind == ActivityKind.Client).ToList();
        Assert.True(outgoing.Count > 0, $"no HttpClient span below '{from.DisplayName}':\n{trace}");
        var served = below.Where(s => s.Kind == ActivityKind.Server && s.Source.Name == AspNetCore
            && outgoing.Any(o => o.SpanId == s.ParentSpanId)
            && Equals(s.GetTagItem("server.port"), backend.BaseAddress.Port)).ToList();
        Assert.True(served.Count > 0, $"no server span of the backend on port {backend.BaseAddress.Port} below '{from.DisplayName}':\n{trace}");
    }

    private static IEnumerable<Activity> Descendants(IReadOnlyList<Activity> spans, Activity root)
    {
        var children = spans.Where(s => s.ParentSpanId == root.SpanId).ToList();
        return children.Concat(children.SelectMany(c => Descendants(spans, c)));
    }

    /// <summary>
    /// The client's own span, sampled (as the W3C flag a tracing client sends says), so the gateway's
    /// parent-based sampler records everything below it.
    /// </summary>
    private static Activity ClientSpan(string name) =>
        new Activity(name) { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start();

    private sealed record Upload(string Id, ActivitySpanId Root, IReadOnlyList<Activity> Spans, LoopbackApp Backend);

    /// <summary>
    /// Create, <paramref name="parts"/> parts, complete, all under one client span (as a client that traces its
    /// uploads does), then the trace once every request and every backend call in it has ended.
    /// </summary>
    private static async Task<Upload> UploadAsync(ObservedGateway observed, string backend, int parts)
    {
        using var client = new ContractClient(observed.Client());
        var file = TestData.Bytes(parts * PartSize, seed: 61 + parts);
        using var root = ClientSpan("client upload");
        var created = backend == "sandbox"
            ? await client.CreateSandboxFileAsync(file.Length, "/workspace/traced.bin")
            : await client.CreateBoxFileAsync(file.Length, "traced.bin");
        var id = created.GetProperty("upload_id").GetString()!;
        for (var n = 1; n <= parts; n++)
        {
            await client.PutPartOkAsync(id, n, file, PartSize);
        }
        object body = backend == "box" ? new { checksum = new { sha1 = TestData.Sha1Hex(file) } } : new { };
        await ExpectAsync(await client.CompleteAsync(id, body), System.Net.HttpStatusCode.OK);
        root.Stop();

        var mock = backend == "sandbox" ? observed.System.Sandbox : observed.System.Box;
        var requests = parts + 2;
        var spans = await observed.TraceAsync(root.TraceId, s =>
            s.Count(x => x.ParentSpanId == root.SpanId) == requests
            && s.Count(x => x.Kind == ActivityKind.Server && x.Source.Name == AspNetCore && Equals(x.GetTagItem("server.port"), observed.Gateway.BaseAddress.Port)) == requests
            && s.Count(x => x.Kind == ActivityKind.Server && Equals(x.GetTagItem("server.port"), mock.BaseAddress.Port)) >= requests);
        return new Upload(id, root.SpanId, spans, mock);
    }
}
