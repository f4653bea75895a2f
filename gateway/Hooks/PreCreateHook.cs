using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Domain;
using Gateway.Events;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Hooks;

/// <summary>
/// What the hook is asked to approve: the create as the core checked it (the target normalized by the
/// backend), before anything is reserved or opened. Nothing of a credential: no API key, no backend secret.
/// </summary>
/// <param name="UploadId">The id the upload gets if the hook lets it through.</param>
/// <param name="Metadata">The front's free-form metadata (tus <c>Upload-Metadata</c>); empty for fronts without any.</param>
internal sealed record PreCreateRequest(
    string UploadId,
    string Tenant,
    string Backend,
    string BackendType,
    UploadTarget Target,
    string Kind,
    string Conflict,
    long Size,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The pre-create hook (docs/hooks.md): POSTs each create of a tenant it applies to, signed with Standard
/// Webhooks headers, and lets the create through on a 2xx only. A 4xx refuses it with the hook's message
/// (<c>403 hook_rejected</c>); no answer in time, no connection, a 5xx or a redirect refuse it too
/// (<c>503 hook_unavailable</c>): a hook that decides who may upload fails closed.
/// </summary>
internal sealed class PreCreateHook
{
    public const string ClientName = "hooks:pre-create";

    /// <summary>The <c>type</c> member of every call's body.</summary>
    public const string EventType = "upload.pre_create";

    /// <summary>How much of a refusal's body is read: a message, not a document.</summary>
    public const int MaxAnswerBytes = 4096;

    /// <summary>How much of the hook's message reaches the client.</summary>
    public const int MaxMessageChars = 500;

    private readonly IHttpClientFactory _clients;
    private readonly PreCreateHookOptions _options;
    private readonly byte[]? _key;
    private readonly TimeProvider _time;
    private readonly ILogger<PreCreateHook> _logger;

    public PreCreateHook(IHttpClientFactory clients, IOptions<PreCreateHookOptions> options, TimeProvider time, ILogger<PreCreateHook> logger)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        (_clients, _options, _time, _logger) = (clients, options.Value, time, logger);
        // Validated at start-up: an enabled hook has a good secret.
        _key = _options.Enabled && StandardWebhooks.TryReadSecret(_options.Secret, out var key) ? key : null;
    }

    public bool AppliesTo(string tenant) => _key is not null && _options.AppliesTo(tenant);

    /// <summary>Returns when the hook allows the create; throws <see cref="GatewayException"/> when it does not.</summary>
    public async Task CheckAsync(PreCreateRequest create, CancellationToken cancellationToken)
    {
        if (!AppliesTo(create.Tenant))
        {
            return;
        }
        var now = _time.GetUtcNow();
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new PreCreatePayload(EventType, now, create.UploadId, create.Tenant, create.Backend, create.BackendType, create.Target,
                create.Kind, create.Conflict, create.Size, create.Metadata),
            HooksJsonContext.Default.PreCreatePayload);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        // The upload's id is the message id: one create, one message.
        StandardWebhooks.AddHeaders(request, _key!, create.UploadId, now, body);

        // The timeout runs on the injected clock and covers the answer's body too (HttpClient.Timeout stops at the headers).
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int status;
        string? message = null;
        try
        {
            using var response = await _clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            status = (int)response.StatusCode;
            if (status is >= 400 and < 500)
            {
                message = await ReadMessageAsync(response, linked.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.HookTimedOut(_logger, create.UploadId, _options.Timeout);
            throw Unavailable();
        }
        catch (HttpRequestException e)
        {
            Log.HookUnreachable(_logger, create.UploadId, e);
            throw Unavailable();
        }
        switch (status)
        {
            case >= 200 and < 300:
                return;
            case >= 400 and < 500:
                Log.HookRefused(_logger, create.UploadId, create.Tenant, status);
                throw new GatewayException(ErrorCode.HookRejected, message ?? $"This deployment's pre-create hook refused the upload (HTTP {status}).");
            default:
                Log.HookFailed(_logger, create.UploadId, status);
                throw Unavailable();
        }
    }

    private static GatewayException Unavailable() =>
        new(ErrorCode.HookUnavailable, "This deployment's pre-create hook did not approve the upload in time; nothing was created. Retry shortly.")
        {
            RetryAfter = TimeSpan.FromSeconds(1),
        };

    /// <summary>
    /// The refusal's message: <c>message</c> or <c>detail</c> of a JSON object, else the text itself; at most
    /// <see cref="MaxAnswerBytes"/> read, control characters dropped, cut at <see cref="MaxMessageChars"/>. Null
    /// when there is none, or the body does not come in time (the status alone decides).
    /// </summary>
    private static async Task<string?> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            return null;
        }
        return Clean(FromJson(buffer.AsSpan(0, read)) ?? Encoding.UTF8.GetString(buffer, 0, read));
    }

    private static string? FromJson(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.TrimStart(" \t\r\n"u8);
        if (start.IsEmpty || start[0] != (byte)'{')
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(start.ToArray());
            foreach (var name in (ReadOnlySpan<string>)["message", "detail"])
            {
                if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static string? Clean(string text)
    {
        var cleaned = new StringBuilder(Math.Min(text.Length, MaxMessageChars + 1));
        foreach (var c in text)
        {
            if (cleaned.Length > MaxMessageChars)
            {
                break;
            }
            // A newline or tab reads as a space; other control characters and the decoder's U+FFFD are dropped.
            if (char.IsWhiteSpace(c))
            {
                if (cleaned.Length > 0 && cleaned[^1] != ' ')
                {
                    cleaned.Append(' ');
                }
            }
            else if (!char.IsControl(c) && c != '\uFFFD')
            {
                cleaned.Append(c);
            }
        }
        var result = cleaned.ToString().Trim();
        if (result.Length > MaxMessageChars)
        {
            result = result[..MaxMessageChars] + "…";
        }
        return result.Length == 0 ? null : result;
    }
}

/// <summary>The body of a pre-create call.</summary>
internal sealed record PreCreatePayload(
    string Type,
    DateTimeOffset Timestamp,
    string UploadId,
    string Tenant,
    string Backend,
    string BackendType,
    UploadTarget Target,
    string Kind,
    string Conflict,
    long Size,
    IReadOnlyDictionary<string, string> Metadata);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PreCreatePayload))]
internal sealed partial class HooksJsonContext : JsonSerializerContext;
