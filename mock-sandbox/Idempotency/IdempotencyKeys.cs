using MockSandbox.Errors;
using MockSandbox.Http;

namespace MockSandbox.Idempotency;

internal static class IdempotencyKeys
{
    public const int MaxLength = 255;

    /// <summary>The request's <c>Idempotency-Key</c>; missing or malformed is <c>400 invalid_request</c> [ours].</summary>
    public static string Require(HttpRequest request)
    {
        var values = request.Headers[SandboxHeaders.IdempotencyKey];
        var key = values.ToString();
        if (values.Count == 0 || string.IsNullOrWhiteSpace(key))
        {
            throw new SandboxError(StatusCodes.Status400BadRequest, SandboxErrorCodes.InvalidRequest,
                $"The {SandboxHeaders.IdempotencyKey} header is required on this request.",
                Hint: $"Send a unique {SandboxHeaders.IdempotencyKey} (a UUID will do) and reuse it when retrying.").AsException();
        }
        if (values.Count > 1 || key.Length > MaxLength || key.Any(char.IsControl))
        {
            throw SandboxError.InvalidRequest($"The {SandboxHeaders.IdempotencyKey} header must be one value of at most {MaxLength} printable characters.").AsException();
        }
        return key;
    }
}
