using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Domain;
using Gateway.Http;

namespace Gateway.Api.V1;

/// <summary>Reads the small JSON bodies of the control plane, refusing anything malformed with <c>invalid_request</c>.</summary>
internal static class JsonBodies
{
    /// <summary>Control-plane bodies are a few hundred bytes; anything near this is not a real request.</summary>
    public const long MaxBytes = 64 * 1024;

    /// <summary>The body as <typeparamref name="T"/>; null only when it is empty and <paramref name="optional"/>.</summary>
    public static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, bool optional) where T : class
    {
        var request = context.Request;
        // Refused before the limit is lowered: Kestrel then reads the unread body away (within its own 30 MB limit and
        // 5 s) and the client reads this answer; under the lowered limit it would close on a body it never read, and a
        // reset can reach the client before the answer does.
        if (request.ContentLength > MaxBytes)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"The JSON body may have at most {MaxBytes} bytes.");
        }
        context.SetBodyLimit(MaxBytes);
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return optional ? null : throw new GatewayException(ErrorCode.InvalidRequest, "A JSON body is required.");
        }
        if (request.ContentType is not null && !request.HasJsonContentType())
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "The body must be JSON (Content-Type: application/json).");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, context.RequestAborted)
                ?? throw new GatewayException(ErrorCode.InvalidRequest, "The JSON body must be an object, not null.");
        }
        catch (JsonException e)
        {
            var where = e.Path is null or "$" ? "" : $" at {e.Path}";
            throw new GatewayException(ErrorCode.InvalidRequest, $"The JSON body is malformed or has a field of the wrong type{where}.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"The JSON body may have at most {MaxBytes} bytes.");
        }
    }
}
