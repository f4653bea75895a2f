using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Gateway.Domain;

namespace Gateway.Backends;

/// <summary>A backend's answer, read whole: backends answer with small JSON documents, never with file bytes.</summary>
internal sealed partial record BackendResponse(int Status, byte[] Body, TimeSpan? RetryAfter)
{
    private const int MaxBody = 4 * 1024 * 1024;

    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The answer's entity tag as sent, quotes included (an object store names an uploaded part by it).</summary>
    public string? ETag { get; init; }

    public static async Task<BackendResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var body = new MemoryStream();
        // Rented: every part's answer is read here, and a new 16 KiB buffer each time was a quarter of the bytes a part
        // allocated (docs/BENCHMARKS.md, "The whole benchmark in one command").
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (body.Length + read > MaxBody)
                {
                    throw new HttpRequestException($"The backend's answer is larger than {MaxBody} bytes.");
                }
                body.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new BackendResponse((int)response.StatusCode, body.ToArray(), retryAfter)
        {
            ETag = response.Headers.TryGetValues("ETag", out var etags) ? etags.FirstOrDefault() : null,
        };
    }

    /// <summary>
    /// A successful answer as its typed record. An answer the gateway cannot use (not JSON, a member missing,
    /// null or of the wrong type) is <c>502 backend_error</c> naming the backend and the operation, never a 500.
    /// </summary>
    public T Read<T>(JsonTypeInfo<T> type, string backend, string operation) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(Body, type) ?? throw new JsonException("The answer is null.");
        }
        catch (JsonException e)
        {
            var what = MissingMember().Match(e.Message) is { Success: true } m ? $"without '{m.Groups[1].Value}'"
                : e.Path is { Length: > 1 } path ? $"with an unusable {path[2..]}"
                : "with a body that is not the expected JSON";
            throw new GatewayException(ErrorCode.BackendError, $"Backend '{backend}' answered {operation} {what}.");
        }
    }

    [GeneratedRegex("missing required properties including: '([^']+)'")]
    private static partial Regex MissingMember();

    /// <summary>The body as JSON, or null when it is not JSON (a proxy's HTML error page, say).</summary>
    public JsonElement? Json()
    {
        try
        {
            return Body.Length == 0 ? null : JsonDocument.Parse(Body).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
