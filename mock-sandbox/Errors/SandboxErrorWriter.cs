using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
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
        if (error.Code == SandboxErrorCodes.RateLimitExceeded && !context.Response.Headers.ContainsKey(HeaderNames.RetryAfter))
        {
            // A hint for clients that honour Retry-After; a part usually finishes within a second.
            context.Response.Headers.RetryAfter = "1";
        }
        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await JsonSerializer.SerializeAsync(context.Response.Body, body, options.GetTypeInfo(typeof(ErrorEnvelope)), context.RequestAborted);
    }
}
