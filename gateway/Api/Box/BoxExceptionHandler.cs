using System.Text.Json;
using Gateway.Domain;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Gateway.Api.Box;

/// <summary>Every exception on a Box route as Box's envelope; registered ahead of the v1 handler, which takes the rest.</summary>
internal sealed class BoxExceptionHandler(ILogger<BoxExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!BoxErrorWriter.IsBoxRequest(context))
        {
            return false;
        }
        var error = exception switch
        {
            BoxError box => box,
            GatewayException known => BoxErrors.From(known),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                new BoxError(413, "request_entity_too_large", "The request body is larger than this route accepts."),
            BadHttpRequestException bad => new BoxError(bad.StatusCode, "bad_request", bad.Message),
            JsonException => BoxErrors.BadRequest("The request body is not valid JSON"),
            RedisConnectionException or RedisTimeoutException =>
                new BoxError(503, "unavailable", "The session store cannot be reached; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) },
            HttpRequestException or TaskCanceledException =>
                new BoxError(503, "unavailable", "The backend cannot be reached; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) },
            _ when DiskFull.Is(exception) => BoxErrors.From(DiskFull.Refusal()),
            _ => null,
        };
        if (error is null)
        {
            Log.UnhandledException(logger, context.Request.Method, context.Request.Path, exception);
            error = new BoxError(500, "internal_server_error", "The gateway failed unexpectedly; the error has been logged.");
        }
        else if (DiskFull.Is(exception))
        {
            Log.DiskFull(logger, context.Request.Method, context.Request.Path, exception);
        }
        else
        {
            Log.RequestFailed(logger, error.Status, error.Code, error.Message);
        }
        await BoxErrorWriter.WriteAsync(context, error);
        return true;
    }
}
