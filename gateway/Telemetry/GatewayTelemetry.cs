using System.Diagnostics;
using Gateway.Domain;
using StackExchange.Redis;

namespace Gateway.Telemetry;

/// <summary>
/// The gateway's own ActivitySource (named "Gateway", like its Meter: see <see cref="GatewayMetrics"/>) and the
/// attribute names its spans and metrics share. Names follow the OpenTelemetry semantic conventions where one
/// exists (<c>error.type</c>, <c>db.system.name</c>, <c>db.operation.name</c>) and an <c>upload.</c> namespace
/// for the gateway's own. No attribute ever carries a secret: no API key, backend credential, Authorization
/// header or URL.
/// </summary>
internal static class GatewayTelemetry
{
    public const string Name = "Gateway";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Tag names, in one place so spans, metrics, dashboards and tests agree.</summary>
    public static class Tags
    {
        public const string UploadId = "upload.id";
        public const string Backend = "upload.backend";
        public const string BackendType = "upload.backend.type";
        public const string PartNumber = "upload.part.number";
        public const string PartBytes = "upload.part.bytes";
        public const string Status = "upload.status";

        /// <summary>Where a part read whole was held: memory | disk.</summary>
        public const string Spool = "upload.spool";

        /// <summary>"ok", or the contract's error code (<see cref="ErrorCode"/>) when the operation failed.</summary>
        public const string Outcome = "upload.outcome";

        /// <summary>create | part | complete | abort.</summary>
        public const string BackendOperation = "upload.backend.operation";

        /// <summary>Semantic conventions: set only when the operation failed; the contract's code or the exception type.</summary>
        public const string ErrorType = "error.type";

        public const string DbSystem = "db.system.name";
        public const string DbOperation = "db.operation.name";
        public const string HttpStatus = "http.response.status_code";
    }

    public const string Ok = "ok";

    /// <summary>A span of the gateway's own, or null when nothing listens (then tagging costs nothing).</summary>
    public static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal, string? uploadId = null)
    {
        var activity = Source.StartActivity(name, kind);
        if (activity is not null && uploadId is not null)
        {
            activity.SetTag(Tags.UploadId, uploadId);
        }
        return activity;
    }

    /// <summary>
    /// The code a failure is known by: the contract's code when there is one (the problem response carries the
    /// same), else the exception's type, as the semantic conventions ask of <c>error.type</c>.
    /// </summary>
    public static string ErrorTypeOf(Exception exception) => exception switch
    {
        GatewayException known => known.Error.Code,
        RedisConnectionException or RedisTimeoutException => ErrorCode.StoreUnavailable.Code,
        OperationCanceledException => "cancelled",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    /// <summary>Marks a span failed with the error's code, without the exception's message (it may quote input).</summary>
    public static void Fail(Activity? activity, string errorType)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag(Tags.Outcome, errorType);
        activity.SetTag(Tags.ErrorType, errorType);
        activity.SetStatus(ActivityStatusCode.Error, errorType);
    }

    public static void Succeed(Activity? activity) => activity?.SetTag(Tags.Outcome, Ok);
}
