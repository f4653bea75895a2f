using System.Security.Cryptography;
using System.Text.Json;
using MockBox.Json;
using MockCommon;

namespace MockBox.Errors;

/// <summary>
/// Writes Box's <c>ClientError</c> envelope (README.md): <c>{"type":"error","status","code","message",
/// "context_info","help_url","request_id"}</c>. Also the writer mock-common's fault injection uses, so an
/// injected 503 looks like Box's.
/// </summary>
internal sealed class BoxErrorWriter : IMockErrorWriter
{
    /// <summary>The spec's example <c>help_url</c>.</summary>
    public const string HelpUrl = "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/";

    public Task WriteAsync(HttpContext context, int status, string code, string message) =>
        WriteAsync(context, new BoxError(status, code, message));

    public async Task WriteAsync(HttpContext context, BoxError error)
    {
        if (context.Response.HasStarted)
        {
            // Too late for an envelope: the client must see a broken response, not a truncated success.
            context.Abort();
            return;
        }
        var envelope = new ErrorEnvelope(
            Type: "error",
            Status: error.Status,
            Code: error.Code,
            Message: error.Message,
            ContextInfo: error.ContextInfo,
            HelpUrl: HelpUrl,
            RequestId: NewRequestId());
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, envelope, BoxJsonContext.Default.ErrorEnvelope, context.RequestAborted);
    }

    // Box's request ids are opaque hex strings.
    private static string NewRequestId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
