using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MockSandbox.Http;

namespace MockSandbox.Errors;

/// <summary>
/// The outermost middleware: stamps every response with its request id and turns whatever escapes a
/// handler into the sandbox error envelope, so bad input never surfaces as a bare 500.
/// </summary>
internal sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[SandboxHeaders.RequestId] = RequestIds.Of(context);
        try
        {
            await next(context);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-request: nobody is left to answer.
        }
        catch (Exception exception)
        {
            var error = Translate(context, exception);
            if (context.Response.HasStarted)
            {
                // Too late for an envelope: the status line is gone. Cut the connection so the client
                // cannot mistake a truncated body for a whole one.
                context.Abort();
                return;
            }
            context.Response.Clear();
            context.Response.Headers[SandboxHeaders.RequestId] = RequestIds.Of(context);
            await SandboxErrorWriter.WriteAsync(context, error);
        }
    }

    private SandboxError Translate(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case SandboxApiException api:
                return api.Error;
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge:
                return SandboxError.FileUploadLimitExceeded(tooLarge.Message, context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0);
            case BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } slow:
                // Not the client's bytes but their pace: a sender starved of CPU, not a malformed part.
                return SandboxError.BodyTimeout(slow.Message);
            case BadHttpRequestException bad:
                // Malformed framing or a body the framework could not bind (the /_mock/ endpoints).
                return SandboxError.InvalidRequest(bad.InnerException is JsonException json ? "The body is not valid JSON: " + json.Message : bad.Message);
            default:
                Log.UnhandledException(logger, context.Request.Method, context.Request.Path, exception);
                return SandboxError.Internal();
        }
    }
}
