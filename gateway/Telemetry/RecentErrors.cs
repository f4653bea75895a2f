using System.Diagnostics;
using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Telemetry;

/// <summary>One problem response, as the admin view shows it: no request body, no header, no credential.</summary>
internal sealed record RecentError(DateTimeOffset At, string Code, int Status, string Method, string Path, string? UploadId, string? TraceId, string Detail);

/// <summary>
/// This instance's latest problem responses, newest first, for the live view at <c>/dashboard</c>. Kept in
/// memory and per instance on purpose: the fleet-wide picture is the <c>gateway.errors</c> metric.
/// </summary>
internal sealed class RecentErrors(IOptions<TelemetryOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<RecentError> _errors = new();

    public void Add(HttpContext context, ErrorCode error, string detail, string? uploadId)
    {
        var entry = new RecentError(time.GetUtcNow(), error.Code, error.Status, context.Request.Method, context.Request.Path.Value ?? "",
            uploadId, Activity.Current?.TraceId.ToString(), detail);
        lock (_lock)
        {
            _errors.AddFirst(entry);
            while (_errors.Count > options.Value.RecentErrors)
            {
                _errors.RemoveLast();
            }
        }
    }

    public IReadOnlyList<RecentError> Latest()
    {
        lock (_lock)
        {
            return [.. _errors];
        }
    }
}

/// <summary>Where every problem response is observed: the server span, <c>gateway.errors</c>, and <see cref="RecentErrors"/>.</summary>
internal static class ProblemTelemetry
{
    /// <summary>Called for each problem response a front writes.</summary>
    public static void Record(HttpContext context, ErrorCode error, string detail, string? uploadId)
    {
        if (Activity.Current is { } span)
        {
            span.SetTag(GatewayTelemetry.Tags.Outcome, error.Code);
            span.SetTag(GatewayTelemetry.Tags.ErrorType, error.Code);
            if (uploadId is not null)
            {
                span.SetTag(GatewayTelemetry.Tags.UploadId, uploadId);
            }
            // Semantic conventions for server spans: a 4xx is the client's error, not the server's.
            if (error.Status >= 500)
            {
                span.SetStatus(ActivityStatusCode.Error, error.Code);
            }
        }
        context.RequestServices.GetService<GatewayMetrics>()?.ProblemSent(error.Code, error.Status);
        context.RequestServices.GetService<RecentErrors>()?.Add(context, error, detail, uploadId);
    }
}
