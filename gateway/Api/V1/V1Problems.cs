using Gateway.Domain;
using Gateway.Limits;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.V1;

/// <summary>
/// The v1 contract's problem details (RFC 9457, https://www.rfc-editor.org/rfc/rfc9457): the contract's error
/// codes as <see cref="ProblemDetails"/>, and what an empty error response (an unknown route, a wrong method, a
/// failed challenge, a rejected rate) means in the contract's terms.
/// </summary>
internal static class V1Problems
{
    public const string ContentType = "application/problem+json";

    public const string Code = "code";
    public const string UploadId = "upload_id";
    public const string TraceId = "trace_id";

    public static ProblemDetails Create(ErrorCode error, string detail, string? uploadId = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Type = "/errors/" + error.Code,
            Title = error.Title,
            Status = error.Status,
            Detail = detail,
        };
        problem.Extensions[Code] = error.Code;
        if (uploadId is not null)
        {
            problem.Extensions[UploadId] = uploadId;
        }
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }
        return problem;
    }

    /// <summary>
    /// An error response that left the pipeline without a body (<c>UseStatusCodePages</c>), as the contract's
    /// problem: who answered with the status says what it means.
    /// </summary>
    public static ProblemDetails ForStatus(HttpContext context, int status)
    {
        var request = context.Request;
        return status switch
        {
            // The authentication handlers' challenge (Auth/): no or bad credentials.
            StatusCodes.Status401Unauthorized => Create(ErrorCode.Unauthorized, "Send Authorization: Bearer <API key or JWT> with valid credentials."),
            // The authorization middleware: authenticated, without the admin scope.
            StatusCodes.Status403Forbidden => Create(ErrorCode.Forbidden, "These credentials do not carry the scope this endpoint needs."),
            StatusCodes.Status404NotFound => Create(ErrorCode.NotFound, $"Nothing is served at {request.Path}."),
            StatusCodes.Status405MethodNotAllowed => Create(ErrorCode.MethodNotAllowed, $"{request.Method} {request.Path} was refused."),
            // The failed-authentication throttle and the rate limiter (Limits/), which set Retry-After.
            StatusCodes.Status429TooManyRequests when AuthFailureThrottle.Throttled(context) =>
                Create(ErrorCode.RateLimited, "Too many refused credentials from this address; retry after the time given."),
            StatusCodes.Status429TooManyRequests => Create(ErrorCode.RateLimited, "Too many requests for this tenant; slow down and retry after the time given."),
            _ => Create(ErrorCode.InvalidRequest with { Status = status }, $"{request.Method} {request.Path} was refused."),
        };
    }
}
