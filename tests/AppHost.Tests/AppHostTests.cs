using System.Diagnostics;
using System.Net.Http.Headers;
using AppHost.Tests.Support;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UploadGateway.Client;

namespace AppHost.Tests;

/// <summary>
/// The AppHost as Aspire.Hosting.Testing boots it: every public port randomized (so a running ./run is no
/// obstacle), the services' OTLP export pointed at an in-test receiver that speaks what the dashboard speaks
/// (gRPC, with the AppHost's API key), and every process it started gone when it is disposed.
/// </summary>
[Collection(nameof(WholeSystem))]
public sealed class AppHostTests
{
    private const string Marker = "UPLOAD_GATEWAY_TEST_RUN";

    [OrchestratorFact]
    public async Task An_upload_through_the_gateway_lands_at_the_mock_and_is_exported_as_one_trace_across_gateway_and_mock()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = timeout.Token;
        await using var otlp = await OtlpReceiver.StartAsync();
        // Every process the orchestrator starts inherits this process's environment: the marker finds them afterwards.
        var runId = Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(Marker, runId);
        try
        {
            var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "DcpPublisher:RandomizePorts=true",
                // Where the AppHost would point the services at its dashboard, and the key it would hand them.
                $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={otlp.Endpoint}",
                $"AppHost:OtlpApiKey={otlp.ApiKey}",
            ], ct);
            // The resources' own console lines would bury the test's output; their warnings and errors stay.
            appHost.Services.AddLogging(logging => logging.AddFilter("AppHost.Resources", LogLevel.Warning).AddFilter("Aspire", LogLevel.Warning));
            await using (var app = await appHost.BuildAsync(ct))
            {
                await app.StartAsync(ct);
                await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", ct);

                var gateway = app.GetEndpoint("gateway", "http");
                var sandbox = app.GetEndpoint("mock-sandbox", "http");
                Assert.NotEqual(5080, gateway.Port);

                var bytes = new byte[17 * 1024 * 1024 + 123]; // three parts of the sandbox's 8 MiB
                Random.Shared.NextBytes(bytes);
                var file = Path.Combine(Path.GetTempPath(), $"apphost-test-{runId}.bin");
                await File.WriteAllBytesAsync(file, bytes, ct);
                var target = $"/workspace/apphost-{runId}.bin";

                // The client sends this trace's context with every request of the upload.
                using var upload = new Activity("apphost test upload");
                upload.SetIdFormat(ActivityIdFormat.W3C);
                upload.ActivityTraceFlags = ActivityTraceFlags.Recorded;
                upload.Start();
                var traceId = upload.TraceId.ToHexString();
                UploadSession session;
                using (var client = new GatewayClient(new GatewayClientOptions { BaseAddress = gateway, ApiKey = "dev-gateway-key" }))
                {
                    session = await client.UploadFileAsync(file, new UploadDestination("sandbox",
                        UploadTarget.Sandbox("sb_dev00001", target), ConflictPolicies.Replace), cancellationToken: ct);
                }
                upload.Stop();
                File.Delete(file);
                Assert.Equal("completed", session.Status);

                using (var http = new HttpClient())
                {
                    using var read = new HttpRequestMessage(HttpMethod.Get, new Uri(sandbox, $"/v1/sandboxes/sb_dev00001/file?path={Uri.EscapeDataString(target)}"));
                    read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "dev-sandbox-key");
                    using var response = await http.SendAsync(read, ct);
                    Assert.True(response.IsSuccessStatusCode, $"reading the file back from mock-sandbox: {(int)response.StatusCode}");
                    var stored = await response.Content.ReadAsByteArrayAsync(ct);
                    Assert.True(bytes.AsSpan().SequenceEqual(stored), "the mock holds other bytes than were uploaded");
                }

                // Each process batches its exports (a second in Development) on its own clock, so a gateway replica's
                // spans can arrive after the mock's: wait for every span asserted below.
                static bool IsMockPart(ReceivedSpan s) => s.Service == "mock-sandbox" && s.Name.StartsWith("PUT ", StringComparison.Ordinal);
                static int FromGateway(List<ReceivedSpan> trace, string name) => trace.Count(s => s.Service == "gateway" && s.Name == name);
                string[] perPart = ["upload part", "store begin_part", "store end_part"];
                List<ReceivedSpan> trace;
                while (true)
                {
                    trace = otlp.Spans.Where(s => s.TraceId == traceId).ToList();
                    var complete = trace.Count(IsMockPart) >= 3 && FromGateway(trace, "POST /v1/uploads/") >= 1 && perPart.All(name => FromGateway(trace, name) >= 3);
                    if (complete || ct.IsCancellationRequested)
                    {
                        break;
                    }
                    await Task.Delay(250, CancellationToken.None);
                }
                var names = string.Join("\n", trace.Select(s => $"{s.Service}: {s.Name}"));
                Assert.True(FromGateway(trace, "POST /v1/uploads/") >= 1, $"expected the gateway's create span in trace {traceId}; it has:\n{names}");
                Assert.All(perPart, name => Assert.Equal(3, FromGateway(trace, name)));
                // The trace crosses the process boundary: each of the mock's part spans has a gateway span as its parent.
                var gatewaySpanIds = trace.Where(s => s.Service == "gateway").Select(s => s.SpanId).ToHashSet();
                var mockParts = trace.Where(IsMockPart).ToList();
                Assert.True(mockParts.Count == 3, $"expected mock-sandbox's three part spans in trace {traceId}; it has:\n{names}");
                Assert.All(mockParts, s => Assert.Contains(s.ParentSpanId, gatewaySpanIds));
                Assert.Equal(0, otlp.Refused);
            }

            var left = await Orchestrator.WaitUntilNoneWithAsync(Marker, runId, TimeSpan.FromSeconds(60));
            Assert.True(left.Count == 0, "still running a minute after the AppHost was disposed:\n" + string.Join("\n", left));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Marker, null);
        }
    }
}
