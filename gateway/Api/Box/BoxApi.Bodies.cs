using System.Globalization;
using System.Text.Json;
using Gateway.Http;

namespace Gateway.Api.Box;

/// <summary>Box's request bodies and query values: read, bounded and checked in Box's words.</summary>
internal static partial class BoxApi
{
    private static long FileSize(JsonElement body)
    {
        if (!Present(body, "file_size", out var value))
        {
            throw new BoxError(400, "missing_file_size", "file_size is required");
        }
        return value.TryGetInt64Safe(out var size) && size >= 0
            ? size
            : throw new BoxError(400, "invalid_file_size", "file_size must be a positive whole number of bytes");
    }

    /// <summary>The name as Box's wire carries it, a string; whether the backend takes it is the backend's rule (<see cref="BoxRouting"/>).</summary>
    private static string FileName(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new BoxError(400, "item_name_invalid", "Item name invalid: file_name must be a string");

    private static long QueryNumber(IQueryCollection query, string name, long fallback)
    {
        var values = query[name];
        if (values.Count == 0)
        {
            return fallback;
        }
        return values.Count == 1 && long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw BoxErrors.BadRequest($"{name} must be a whole number", name);
    }

    private static bool Present(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static bool TryGetInt64Safe(this JsonElement value, out long number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number);
    }

    /// <summary>A small JSON object body; Box's <c>bad_request</c> for anything else.</summary>
    private static async Task<JsonElement> ReadObjectAsync(HttpContext context)
    {
        // Refused before the limit is lowered, so that Kestrel reads the unread body away and the client gets the answer (JsonBodies).
        if (context.Request.ContentLength > MaxJsonBytes)
        {
            throw new BoxError(413, "request_entity_too_large", $"A JSON request body may not exceed {MaxJsonBytes} bytes");
        }
        context.SetBodyLimit(MaxJsonBytes);
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw BoxErrors.BadRequest("The request body must be a JSON object");
        }
        catch (JsonException)
        {
            throw BoxErrors.BadRequest("The request body is not valid JSON");
        }
    }
}
