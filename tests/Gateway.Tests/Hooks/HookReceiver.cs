using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TestSupport;

namespace Gateway.Tests.Hooks;

/// <summary>
/// A pre-create hook on a loopback port, as a deployment would write one: it checks every call's Standard
/// Webhooks signature itself (HMAC-SHA256 of <c>"{id}.{timestamp}.{body}"</c>, not the gateway's code) and
/// answers a call it cannot verify with 401. What it answers otherwise is the test's <see cref="Answer"/>.
/// </summary>
internal sealed class HookReceiver : IAsyncDisposable
{
    /// <summary>32 fixed bytes, in the <c>whsec_</c> form the gateway is configured with.</summary>
    public static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    public static readonly string Secret = "whsec_" + Convert.ToBase64String(Key);

    private readonly ConcurrentQueue<Call> _calls = new();
    private LoopbackApp _app = null!;

    private HookReceiver()
    {
    }

    /// <summary>The answer to a call whose signature holds; 204 by default.</summary>
    public Func<HttpContext, Task> Answer { get; set; } = context =>
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    };

    public Uri Url => new(_app.BaseAddress, "/hook");

    public IReadOnlyList<Call> Calls => [.. _calls];

    /// <summary>Answers a fixed status and body.</summary>
    public static Func<HttpContext, Task> Respond(int status, string? body = null, string contentType = "application/json") => async context =>
    {
        context.Response.StatusCode = status;
        if (body is not null)
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        }
    };

    public static async Task<HookReceiver> StartAsync()
    {
        var receiver = new HookReceiver();
        receiver._app = await LoopbackApp.StartAsync(_ => { }, app =>
        {
            app.MapPost("/hook", receiver.HandleAsync);
            app.MapGet("/elsewhere", () => Results.NoContent());
            app.MapPost("/elsewhere", () => Results.NoContent());
        });
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers;
        var id = headers["webhook-id"].ToString();
        var timestamp = headers["webhook-timestamp"].ToString();
        var valid = Verify(id, timestamp, headers["webhook-signature"].ToString(), body);
        _calls.Enqueue(new Call(id, timestamp, valid, Encoding.UTF8.GetString(body), headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (!valid)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("bad signature");
            return;
        }
        await Answer(context);
    }

    /// <summary>The specification's check: any of the space-separated <c>v1,&lt;base64&gt;</c> signatures matches, in constant time.</summary>
    private static bool Verify(string id, string timestamp, string signatures, byte[] body)
    {
        if (id.Length == 0 || !long.TryParse(timestamp, out _))
        {
            return false;
        }
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body];
        var expected = HMACSHA256.HashData(Key, signed);
        foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (signature.StartsWith("v1,", StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(SafeBase64(signature[3..]), expected))
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] SafeBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    internal sealed record Call(string Id, string Timestamp, bool SignatureValid, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
    }
}
