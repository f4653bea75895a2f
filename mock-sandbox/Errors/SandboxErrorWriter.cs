using System.Text.Json;
using MockCommon;
using MockSandbox.Http;

namespace MockSandbox.Errors;

/// <summary>
/// Writes errors in the sandbox envelope: the API's own errors, unknown routes, and faults injected through
/// <c>/_mock/faults</c> (so an injected 503 looks like one the real API sends).
/// </summary>
internal sealed class SandboxErrorWriter : IMockErrorWriter
{
    public Task WriteAsync(HttpContext context, int status, string code, string message) =>
        WriteAsync(context, new SandboxError(status, code, message));

    public static async Task WriteAsync(HttpContext context, SandboxError error)
    {
        var body = new ErrorEnvelope(new ErrorBody(error.Code, error.Message, error.Hint, RequestIds.Of(context), error.Retryable, error.Details));
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (error.Code == SandboxErrorCodes.RateLimitExceeded)
        {
            // A hint for clients that honour Retry-After; a part usually finishes within a second.
            context.Response.Headers.RetryAfter = "1";
        }
        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        await JsonSerializer.SerializeAsync(context.Response.Body, body, SandboxJsonContext.Default.ErrorEnvelope, context.RequestAborted);
    }
}
