using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TestSupport;

namespace Gateway.Tests.Events;

/// <summary>One request the receiver got, its signature checked by the receiver's own HMAC code.</summary>
public sealed record Delivery(string WebhookId, long Timestamp, bool SignatureValid, string Type, string UploadId, string Status, JsonElement Payload);

/// <summary>
/// A webhook endpoint on a loopback port, as a customer would write one: it checks the Standard Webhooks
/// signature of every request with its own HMAC-SHA256 (not the gateway's signer), records what came and answers
/// what <see cref="Answer"/> says (200 unless told otherwise; <c>null</c>: hang up without answering).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private LoopbackApp _app = null!;

    private WebhookReceiver()
    {
    }

    public Uri Url => new(_app.BaseAddress, "/hook");

    /// <summary>Answered by stalling until the caller gives up.</summary>
    public const int Stall = 0;

    /// <summary>Answered by dropping the connection, as a receiver that is down.</summary>
    public const int HangUp = -1;

    /// <summary>Answered by a 200 with a body far larger than anyone should read.</summary>
    public const int Huge = -2;

    /// <summary>
    /// Given a delivery and how many times its id came before (0 the first time): the status to answer, or
    /// <see cref="Stall"/>, <see cref="HangUp"/>, <see cref="Huge"/>; a 3xx redirects to this same receiver.
    /// </summary>
    public Func<Delivery, int, int> Answer { get; set; } = (_, _) => 200;

    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    /// <summary>What the receiver accepted with a 2xx, once per webhook id.</summary>
    public IReadOnlyList<Delivery> Accepted => [.. _accepted.Values.OrderBy(d => d.Item1).Select(d => d.Item2)];

    private readonly ConcurrentDictionary<string, (long, Delivery)> _accepted = new();
    private long _sequence;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        receiver._app = await LoopbackApp.StartAsync(_ => { }, app => app.MapPost("/hook", receiver.HandleAsync));
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var id = context.Request.Headers["webhook-id"].ToString();
        var timestamp = long.Parse(context.Request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var valid = Verify(id, timestamp, body, context.Request.Headers["webhook-signature"].ToString());
        var payload = JsonDocument.Parse(body).RootElement.Clone();
        var data = payload.GetProperty("data");
        var delivery = new Delivery(id, timestamp, valid, payload.GetProperty("type").GetString()!,
            data.GetProperty("upload_id").GetString()!, data.GetProperty("status").GetString()!, payload);
        _deliveries.Enqueue(delivery);
        var before = _calls.AddOrUpdate(id, 0, (_, n) => n + 1);
        var status = Answer(delivery, before);
        switch (status)
        {
            case Stall:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case HangUp:
                context.Abort();
                return;
            case Huge:
                context.Response.StatusCode = 200;
                var chunk = new byte[64 * 1024];
                for (var i = 0; i < 16 * 1024 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
                }
                return;
        }
        if (status is >= 200 and < 300)
        {
            _accepted.TryAdd(id, (Interlocked.Increment(ref _sequence), delivery));
        }
        if (status is >= 300 and < 400)
        {
            context.Response.Headers.Location = Url.ToString();
        }
        context.Response.StatusCode = status;
    }

    /// <summary>The receiver's side of https://www.standardwebhooks.com, written out here on purpose.</summary>
    private static bool Verify(string id, long timestamp, byte[] body, string header)
    {
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return header.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }

    /// <summary>Waits, without a timed assertion, until the condition holds or a generous bound passes.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, int seconds = 60)
    {
        for (var i = 0; i < seconds * 20 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
