using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MockSandbox.Errors;

namespace MockSandbox.Http;

/// <summary>
/// Reads small JSON request bodies by hand rather than through parameter binding: the idempotency check
/// needs the body itself, and a wrong field must come back as <c>invalid_fields</c> naming it.
/// </summary>
internal static class JsonBodies
{
    /// <summary>Create and complete bodies are a few hundred bytes; 1 MiB leaves room for <c>metadata</c>.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The body as a JSON object; an empty body is <c>{}</c> when <paramref name="optional"/>.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, bool optional, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var received = await BodyReceiver.ReceiveAsync(request.Body, buffer, MaxBytes, MaxBytes, sha256: false, cancellationToken);
        if (received.Length > MaxBytes)
        {
            throw SandboxError.InvalidRequest($"The JSON body is over {MaxBytes} bytes.").AsException();
        }
        if (received.Length == 0)
        {
            return optional
                ? JsonDocument.Parse("{}").RootElement.Clone()
                : throw SandboxError.InvalidRequest("This request needs a JSON body.").AsException();
        }
        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw SandboxError.InvalidRequest("The body must be a JSON object.").AsException();
            }
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw SandboxError.InvalidRequest("The body is not valid JSON: " + exception.Message).AsException();
        }
    }

    /// <summary>Binds a body read by <see cref="ReadObjectAsync"/>; a field of the wrong type is <c>400 invalid_fields</c>.</summary>
    public static T Bind<T>(JsonElement body, JsonTypeInfo<T> type)
    {
        try
        {
            return body.Deserialize(type) ?? throw SandboxError.InvalidRequest("The body must be a JSON object.").AsException();
        }
        catch (JsonException exception)
        {
            var field = exception.Path?.TrimStart('$', '.') ?? "";
            throw (field.Length == 0
                ? SandboxError.InvalidRequest("The body does not have the expected shape: " + exception.Message)
                : SandboxError.InvalidField(field, "wrong_type", $"{field} has the wrong type for this field.")).AsException();
        }
    }
}
