using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Events;

/// <summary>
/// Lifecycle events end to end: the real gateway (Redis or the embedded store) and a real receiver on loopback
/// that checks every signature with its own code. Every wait is a bounded poll, never a timed assertion.
/// </summary>
public sealed class WebhookDeliveryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;
    private const string OpsKey = "ops-admin-key-0123456789";

    /// <summary>Fast polling and retries, a few shards; <paramref name="endpoints"/> name → URL.</summary>
    internal static void Webhooks(Dictionary<string, string?> s, params (string Name, Uri Url)[] endpoints)
    {
        foreach (var (name, url) in endpoints)
        {
            s[$"Gateway:Webhooks:Endpoints:{name}:Url"] = url.ToString();
            s[$"Gateway:Webhooks:Endpoints:{name}:Secret"] = WebhookReceiver.Secret;
        }
        s["Gateway:Webhooks:PollInterval"] = "00:00:00.050";
        s["Gateway:Webhooks:FirstRetryDelay"] = "00:00:00.050";
        s["Gateway:Webhooks:MaxRetryDelay"] = "00:00:00.200";
        s["Gateway:Store:EventShards"] = "4";
        s["Gateway:Tenants:ops:ApiKeyHashes:0"] = TenantDirectory.Hash(OpsKey);
        s["Gateway:Tenants:ops:Backends:0"] = "sandbox";
        s["Gateway:Tenants:ops:Admin"] = "true";
        s["Gateway:Tenants:ops:AnyTarget"] = "true";
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_event_type_of_a_v1_upload_arrives_signed_and_in_order(bool onRedis)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var system = await GatewayHarness.StartAsync(onRedis ? redis : null, gateway: s => Webhooks(s, ("main", receiver.Url)));
        using var client = new ContractClient(system.Client());
        var store = system.Gateway.Services.GetRequiredService<ISessionStore>();
        var file = TestData.Bytes(2 * PartSize, seed: 16);

        var completed = Id(await client.CreateSandboxFileAsync(file.Length, "/workspace/events-done.bin"));
        await client.PutPartOkAsync(completed, 1, file, PartSize);
        await client.PutPartOkAsync(completed, 2, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(completed), HttpStatusCode.OK);
        var aborted = Id(await client.CreateBoxFileAsync(file.Length, "events-aborted.bin"));
        Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(aborted)).StatusCode);
        // Expiry and a backend refusing the commit end sessions through the store's own transitions, as the
        // sweeper and the lifecycle do.
        var expired = Id(await client.CreateSandboxFileAsync(file.Length, "/workspace/events-expired.bin"));
        Assert.Equal(TransitionOutcome.Done, (await store.ApplyAsync(expired, null, SessionTransition.Expire)).Outcome);
        var failed = Id(await client.CreateSandboxFileAsync(PartSize, "/workspace/events-failed.bin"));
        await client.PutPartOkAsync(failed, 1, file, PartSize);
        Assert.Equal(TransitionOutcome.Done, (await store.ApplyAsync(failed, null, SessionTransition.BeginComplete)).Outcome);
        var why = new SessionResult { Error = new SessionError("checksum_mismatch", "The assembled object's digest differs from the one given.") };
        Assert.Equal(TransitionOutcome.Done, (await store.ApplyAsync(failed, null, SessionTransition.Fail, why)).Outcome);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= 8);

        Assert.All(receiver.Deliveries, d => Assert.True(d.SignatureValid, $"bad signature on {d.WebhookId}"));
        string[] Of(string id) => [.. receiver.Accepted.Where(d => d.UploadId == id).Select(d => d.Type)];
        Assert.Equal([EventTypes.Created, EventTypes.Completed], Of(completed));
        Assert.Equal([EventTypes.Created, EventTypes.Aborted], Of(aborted));
        Assert.Equal([EventTypes.Created, EventTypes.Expired], Of(expired));
        Assert.Equal([EventTypes.Created, EventTypes.Failed], Of(failed));
        Assert.Equal(8, receiver.Accepted.Count);

        // data is the session body GET /v1/uploads/{id} returns, as it was at that moment.
        var done = receiver.Accepted.Single(d => d.UploadId == completed && d.Type == EventTypes.Completed);
        var body = await client.GetOkAsync(completed);
        Assert.Equal(done.Payload.GetProperty("id").GetString(), done.WebhookId);
        Assert.Equal("completed", done.Status);
        foreach (var field in new[] { "upload_id", "backend", "status", "content_length", "accepted_bytes", "parts_received", "result", "target", "links" })
        {
            Assert.Equal(body.GetProperty(field).ToString(), done.Payload.GetProperty("data").GetProperty(field).ToString());
        }
        // A failure says why, as GET does: a commit that fails in the background has no request to say it to.
        var failure = receiver.Accepted.Single(d => d.UploadId == failed && d.Type == EventTypes.Failed).Payload.GetProperty("data").GetProperty("result").GetProperty("error");
        Assert.Equal("checksum_mismatch", failure.GetProperty("code").GetString());
        Assert.Equal(why.Error.Detail, failure.GetProperty("detail").GetString());
        var created = receiver.Accepted.Single(d => d.UploadId == completed && d.Type == EventTypes.Created);
        Assert.Equal("created", created.Status);
        Assert.Equal(0, created.Payload.GetProperty("data").GetProperty("parts_received").GetInt32());
        // Never a secret: no backend credential, no webhook secret, no backend session reference.
        Assert.All(receiver.Deliveries, d =>
        {
            var text = d.Payload.GetRawText();
            Assert.DoesNotContain(GatewayHarness.SandboxKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(GatewayHarness.BoxToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(WebhookReceiver.Secret["whsec_".Length..], text, StringComparison.Ordinal);
            Assert.DoesNotContain("backend_session", text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Uploads_through_the_tus_and_Box_fronts_send_the_same_signed_events()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            Webhooks(s, ("main", receiver.Url));
            Api.Tus.TusSettings.Apply(s);
        });
        using var http = system.Client();
        var file = TestData.Bytes(PartSize + 77, seed: 17);

        // tus: creation, then one PATCH with every byte, which completes the upload; a second one terminated.
        var location = await Api.Tus.TusHttp.CreatedAsync(http, file.Length, Api.Tus.TusHttp.Metadata(("filename", "events.bin")));
        using (var patch = await http.SendAsync(Api.Tus.TusHttp.Patch(location, 0, file)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }
        var tusDone = location["/tus/".Length..];
        var terminated = await Api.Tus.TusHttp.CreatedAsync(http, file.Length, Api.Tus.TusHttp.Metadata(("filename", "events-gone.bin")));
        using (var delete = await http.SendAsync(Api.Tus.TusHttp.Delete(terminated)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        // Box: an upload session, then its abort.
        using var box = await http.PostAsync("/box/api/2.0/files/upload_sessions",
            new StringContent($$"""{"folder_id":"0","file_size":{{file.Length}},"file_name":"events-box.bin"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, box.StatusCode);
        var boxId = JsonDocument.Parse(await box.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/box/api/2.0/files/upload_sessions/{boxId}")).StatusCode);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= 6);
        Assert.All(receiver.Deliveries, d => Assert.True(d.SignatureValid));
        Assert.Equal([EventTypes.Created, EventTypes.Completed], receiver.Accepted.Where(d => d.UploadId == tusDone).Select(d => d.Type));
        Assert.Equal([EventTypes.Created, EventTypes.Aborted], receiver.Accepted.Where(d => d.UploadId == terminated["/tus/".Length..]).Select(d => d.Type));
        Assert.Equal([EventTypes.Created, EventTypes.Aborted], receiver.Accepted.Where(d => d.UploadId == boxId).Select(d => d.Type));
        Assert.Equal(6, receiver.Accepted.Count);
        var completed = receiver.Accepted.Single(d => d.Type == EventTypes.Completed).Payload.GetProperty("data");
        Assert.Equal(file.Length, completed.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal("/workspace/tus/events.bin", completed.GetProperty("target").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Each_attempt_is_a_span_of_its_own_trace_linked_to_the_trace_of_the_request_that_caused_the_event()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            // ASP.NET Core's too, as OpenTelemetry listens in production: the request's span continues the caller's trace.
            ShouldListenTo = source => source.Name is Gateway.Telemetry.GatewayTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, before) => before == 0 ? 503 : 200;
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => Webhooks(s, ("main", receiver.Url)));
        using var http = system.Client();

        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/uploads")
        {
            Content = Json(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/events-traced.bin" }, content_length = 10 }),
        };
        var id = Id(await ExpectAsync(await http.SendAsync(create), HttpStatusCode.Created));
        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= 1 && Deliveries().Count >= 2);

        List<System.Diagnostics.Activity> Deliveries() =>
            [.. spans.Where(a => a.OperationName == "webhook deliver" && Equals(a.GetTagItem("upload.id"), id))];
        var attempts = Deliveries().OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, attempts.Count);
        // The create request's trace: the one its store call ran in.
        var created = spans.First(a => a.OperationName != "webhook deliver" && Equals(a.GetTagItem("upload.id"), id) && a.OperationName.Contains("create", StringComparison.Ordinal));
        var traceId = created.TraceId;
        Assert.All(attempts, a =>
        {
            Assert.NotEqual(traceId, a.TraceId);
            Assert.True(a.Links.Any(l => l.Context.TraceId == traceId), $"links: {string.Join(",", a.Links.Select(l => l.Context.TraceId))} want {traceId} parent {a.ParentId}");
            Assert.Equal("main", a.GetTagItem("webhook.endpoint"));
            Assert.Equal(EventTypes.Created, a.GetTagItem("webhook.event.type"));
            Assert.Equal(receiver.Accepted[0].WebhookId, a.GetTagItem("webhook.event.id"));
        });
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("http_5xx", attempts[0].GetTagItem("error.type"));
        Assert.Equal(503, attempts[0].GetTagItem("http.response.status_code"));
        Assert.Equal("ok", attempts[1].GetTagItem("upload.outcome"));
    }

    [Fact]
    public async Task A_receiver_answering_500_then_200_gets_the_same_event_again_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, before) => before == 0 ? 500 : 200;
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => Webhooks(s, ("main", receiver.Url)));
        using var client = new ContractClient(system.Client());

        var id = Id(await client.CreateSandboxFileAsync(PartSize, "/workspace/events-retry.bin"));
        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= 1);

        var attempts = receiver.Deliveries.Where(d => d.UploadId == id).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].WebhookId, attempts[1].WebhookId);
        Assert.Equal(attempts[0].Payload.GetRawText(), attempts[1].Payload.GetRawText());
        Assert.All(attempts, a => Assert.True(a.SignatureValid));
        Assert.Single(receiver.Accepted);
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_every_event_in_order_when_it_returns()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var down = true;
        receiver.Answer = (_, _) => Volatile.Read(ref down) ? WebhookReceiver.HangUp : 200;
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => Webhooks(s, ("main", receiver.Url)));
        using var client = new ContractClient(system.Client());

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = Id(await client.CreateSandboxFileAsync(PartSize, $"/workspace/events-down-{i}.bin"));
            Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(id)).StatusCode);
            ids.Add(id);
        }
        // Down long enough for several attempts of each session's first event, none of them accepted.
        await WebhookReceiver.WaitUntilAsync(() => receiver.Deliveries.Count >= 20);
        Assert.Empty(receiver.Accepted);
        Volatile.Write(ref down, false);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= 10);
        Assert.Equal(10, receiver.Accepted.Count);
        foreach (var id in ids)
        {
            Assert.Equal([EventTypes.Created, EventTypes.Aborted], receiver.Accepted.Where(d => d.UploadId == id).Select(d => d.Type));
        }
        // While the first event of a session failed, its second was never sent: order per session holds.
        foreach (var id in ids)
        {
            var types = receiver.Deliveries.Where(d => d.UploadId == id).Select(d => d.Type).ToList();
            Assert.True(types.LastIndexOf(EventTypes.Created) < types.IndexOf(EventTypes.Aborted), string.Join(",", types));
        }
    }

    [Fact]
    public async Task An_event_given_up_on_is_a_dead_letter_an_operator_lists_and_replays()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var refusing = true;
        receiver.Answer = (_, _) => Volatile.Read(ref refusing) ? 503 : 200;
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            Webhooks(s, ("main", receiver.Url));
            s["Gateway:Webhooks:RetryFor"] = "00:00:01";
        });
        using var client = new ContractClient(system.Client());
        using var ops = system.Gateway.CreateClient(OpsKey);

        var id = Id(await client.CreateSandboxFileAsync(PartSize, "/workspace/events-dead.bin"));
        JsonElement letters = default;
        await WebhookReceiver.WaitUntilAsync(() =>
        {
            letters = ops.GetFromJsonAsync<JsonElement>("/v1/admin/webhooks/main/dead-letters").GetAwaiter().GetResult();
            // The page and its total are two reads: a letter written between them is counted but not yet listed.
            return letters.GetProperty("dead_letters").GetArrayLength() >= 1;
        });
        Assert.Equal(1, letters.GetProperty("total").GetInt64());
        var letter = Assert.Single(letters.GetProperty("dead_letters").EnumerateArray());
        Assert.Equal(id, letter.GetProperty("upload_id").GetString());
        Assert.Equal(EventTypes.Created, letter.GetProperty("type").GetString());
        Assert.Equal("http_5xx", letter.GetProperty("reason").GetString());
        Assert.True(letter.GetProperty("attempts").GetInt32() >= 2);
        var eventId = letter.GetProperty("event_id").GetString()!;
        Assert.Empty(receiver.Accepted);

        // The admin endpoint is for operators only, and refuses what is not there.
        using (var tenant = system.Client())
        {
            await ExpectProblemAsync(await tenant.GetAsync("/v1/admin/webhooks/main/dead-letters"), 403, "forbidden");
        }
        await ExpectProblemAsync(await ops.GetAsync("/v1/admin/webhooks/nosuch/dead-letters"), 404, "not_found");
        await ExpectProblemAsync(await ops.GetAsync("/v1/admin/webhooks/main/dead-letters?after=x"), 400, "invalid_request");
        await ExpectProblemAsync(await ops.PostAsync("/v1/admin/webhooks/main/dead-letters/1-0/replay", null), 404, "not_found");

        Volatile.Write(ref refusing, false);
        using var replay = await ops.PostAsync($"/v1/admin/webhooks/main/dead-letters/{letter.GetProperty("id").GetString()}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= 1);
        var delivered = Assert.Single(receiver.Accepted);
        Assert.Equal(eventId, delivered.WebhookId);
        Assert.True(delivered.SignatureValid);
        var after = await ops.GetFromJsonAsync<JsonElement>("/v1/admin/webhooks/main/dead-letters");
        Assert.Equal(0, after.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Hostile_receivers_that_stall_redirect_or_answer_huge_bodies_do_not_hold_up_another_endpoint()
    {
        await using var good = await WebhookReceiver.StartAsync();
        await using var stalling = await WebhookReceiver.StartAsync();
        await using var redirecting = await WebhookReceiver.StartAsync();
        await using var huge = await WebhookReceiver.StartAsync();
        stalling.Answer = (_, _) => WebhookReceiver.Stall;
        redirecting.Answer = (_, _) => 307;
        huge.Answer = (_, _) => WebhookReceiver.Huge;
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            Webhooks(s, ("good", good.Url), ("stalling", stalling.Url), ("redirecting", redirecting.Url), ("huge", huge.Url));
            s["Gateway:Webhooks:Timeout"] = "00:00:01";
            s["Gateway:Webhooks:MaxConcurrency"] = "2";
        });
        using var client = new ContractClient(system.Client());

        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(Id(await client.CreateSandboxFileAsync(PartSize, $"/workspace/events-hostile-{i}.bin")));
        }

        await WebhookReceiver.WaitUntilAsync(() => good.Accepted.Count >= 12);
        Assert.Equal(ids.Order(), good.Accepted.Select(d => d.UploadId).Order());
        // The stalling one is tried (and times out); a redirect is not followed: each receiver sees only requests
        // sent to it, and the redirecting one never has one accepted.
        await WebhookReceiver.WaitUntilAsync(() => stalling.Deliveries.Count >= 1 && redirecting.Deliveries.Count >= 2);
        Assert.NotEmpty(stalling.Deliveries);
        Assert.Empty(redirecting.Accepted);
        Assert.True(redirecting.Deliveries.Count >= 2, "a redirect counts as a failure and is retried");
        await WebhookReceiver.WaitUntilAsync(() => huge.Deliveries.Select(d => d.UploadId).Distinct().Count() >= 12);
        Assert.Equal(12, huge.Deliveries.Select(d => d.UploadId).Distinct().Count());
    }

    [Theory]
    [InlineData("Url", "ftp://example.com/hook", "Url must be an absolute http or https URL")]
    [InlineData("Url", "not a url", "Url must be an absolute http or https URL")]
    [InlineData("Secret", "s3cr3t", "Secret must be whsec_")]
    [InlineData("Events:0", "upload.finished", "unknown event type 'upload.finished'")]
    public async Task A_bad_webhook_endpoint_stops_the_gateway_at_start_up_with_a_clear_message(string field, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHarness.StartAsync(gateway: s =>
        {
            Webhooks(s, ("main", new Uri("http://127.0.0.1:9/hook")));
            s[$"Gateway:Webhooks:Endpoints:main:{field}"] = value;
        }));
        Assert.Contains("Gateway:Webhooks:Endpoints:main", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value == "s3cr3t" ? value : "\u0000", error.Message, StringComparison.Ordinal);
    }

    private static string Id(JsonElement created) => created.GetProperty("upload_id").GetString()!;
}
