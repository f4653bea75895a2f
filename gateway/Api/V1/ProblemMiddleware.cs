using System.Text.Json;
using StackExchange.Redis;
using Gateway.Domain;

namespace Gateway.Api.V1;

/// <summary>
/// Every failure leaves as the contract's problem+json: known failures with their precise code, empty 4xx
/// answers (unknown route, wrong method, failed challenge) filled in, and the gateway's own bugs as a logged
/// 500 that says nothing about internals. A client that went away gets nothing.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Log.ClientWentAway(logger, context.Request.Method, context.Request.Path);
            return;
        }
        catch (Exception exception)
        {
            var problem = Translate(exception);
            if (problem.Error == ErrorCode.Internal)
            {
                Log.UnhandledException(logger, context.Request.Method, context.Request.Path, exception);
            }
            else
            {
                Log.RequestFailed(logger, problem.Error.Code, problem.Message);
            }
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }
            context.Response.Clear();
            await ProblemWriter.WriteAsync(context, problem);
            return;
        }

        if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentType: null, ContentLength: null or 0 })
        {
            var error = context.Response.StatusCode switch
            {
                StatusCodes.Status401Unauthorized => ErrorCode.Unauthorized,
                StatusCodes.Status404NotFound => ErrorCode.NotFound,
                StatusCodes.Status405MethodNotAllowed => ErrorCode.MethodNotAllowed,
                var status => ErrorCode.InvalidRequest with { Status = status },
            };
            var detail = error == ErrorCode.NotFound
                ? $"Nothing is served at {context.Request.Path}."
                : $"{context.Request.Method} {context.Request.Path} was refused.";
            await ProblemWriter.WriteAsync(context, error, detail);
        }
    }

    private static GatewayException Translate(Exception exception) => exception switch
    {
        GatewayException known => known,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(ErrorCode.UploadTooLarge, "The request body is larger than this route accepts."),
        BadHttpRequestException bad =>
            new(ErrorCode.InvalidRequest with { Status = bad.StatusCode }, bad.Message),
        JsonException json =>
            new(ErrorCode.InvalidRequest, $"The JSON body is malformed: {json.Message}"),
        RedisConnectionException or RedisTimeoutException =>
            new(ErrorCode.StoreUnavailable, "The session store cannot be reached; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) },
        HttpRequestException or TaskCanceledException =>
            new(ErrorCode.BackendUnavailable, "The backend cannot be reached; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) },
        _ => new(ErrorCode.Internal, "The gateway failed unexpectedly; the error has been logged."),
    };
}
