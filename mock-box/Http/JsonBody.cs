using System.Buffers;
using System.Text.Json;
using MockBox.Errors;

namespace MockBox.Http;

/// <summary>
/// Reads a small JSON request body (create, commit) into a <see cref="JsonElement"/>, so each field can
/// be told apart as missing or wrongly typed and answered with its own Box code. Capped: these bodies are
/// a few hundred bytes, and only part bodies may be large.
/// </summary>
internal static class JsonBody
{
    public const int MaxBytes = 1024 * 1024;

    public static async Task<(JsonElement Body, BoxError? Error)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, buffer.Length - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > MaxBytes)
                {
                    return (default, BoxErrors.RequestEntityTooLarge($"A JSON request body may not exceed {MaxBytes} bytes"));
                }
            }
            try
            {
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                return document.RootElement.ValueKind == JsonValueKind.Object
                    ? (document.RootElement.Clone(), null)
                    : (default, BoxErrors.BadRequest("The request body must be a JSON object"));
            }
            catch (JsonException)
            {
                return (default, BoxErrors.BadRequest("The request body is not valid JSON"));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A property that is absent or JSON <c>null</c> counts as missing, as in Box's "is required" errors.</summary>
    public static bool TryGetPresent(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
}
