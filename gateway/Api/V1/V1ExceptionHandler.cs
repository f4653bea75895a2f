using System.Text.Json;
using Gateway.Domain;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;
using Gateway.Http;

namespace Gateway.Api.V1;

/// <summary>
/// Every exception that reaches <c>UseExceptionHandler</c> as the contract's problem: the core's
/// <see cref="GatewayException"/> with its precise code, the framework's and the clients' failures mapped to
/// theirs, and the gateway's own bugs as a logged <c>500 internal_error</c> that says nothing about internals.
/// A client that went away gets nothing (the framework answers 499 and logs it at debug level).
/// </summary>
internal sealed class V1ExceptionHandler(IProblemDetailsService problems, ILogger<V1ExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Translate(exception);
        if (problem.Error == ErrorCode.Internal)
        {
            Log.UnhandledException(logger, context.Request.Method, context.Request.Path, exception);
        }
        else if (problem.Error == ErrorCode.StorageFull)
        {
            Log.DiskFull(logger, context.Request.Method, context.Request.Path, exception);
        }
        else
        {
            Log.RequestFailed(logger, problem.Error.Code, problem.Message);
        }
        if (problem.RetryAfter is { } wait)
        {
            context.Response.Headers.SetRetryAfter(wait);
        }
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = V1Problems.Create(problem.Error, problem.Message, problem.UploadId, problem.Extensions),
        });
        return true;
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
        _ when DiskFull.Is(exception) => DiskFull.Refusal(),
        _ => new(ErrorCode.Internal, "The gateway failed unexpectedly; the error has been logged."),
    };
}
