using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Domain;
using Gateway.Telemetry;
using Gateway.Http;

namespace Gateway.Api.Box;

/// <summary>Writes <see cref="BoxError"/>s, recording each like every front's problem (span tags, metrics, recent errors).</summary>
internal static class BoxErrorWriter
{
    /// <summary>The spec's example <c>help_url</c>.</summary>
    public const string HelpUrl = "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/";

    public static async Task WriteAsync(HttpContext context, BoxError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }
        var requestId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        ProblemTelemetry.Record(context, new ErrorCode(error.Code, error.Status, error.Code), error.Message, error.UploadId ?? context.Request.RouteValues["id"] as string);
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        if (error.RetryAfter is { } wait)
        {
            response.Headers.SetRetryAfter(wait);
        }
        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            // RFC 6750 §3.1, as Box sends it: no error attribute when no credentials came.
            response.Headers.WWWAuthenticate = context.Request.Headers.Authorization.Count == 0
                ? "Bearer realm=\"Service\""
                : "Bearer realm=\"Service\", error=\"invalid_token\", error_description=\"The access token provided is invalid.\"";
        }
        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteNumber("status", error.Status);
        json.WriteString("code", error.Code);
        json.WriteString("message", error.Message);
        json.WritePropertyName("context_info");
        if (error.ContextInfo is null)
        {
            json.WriteNullValue();
        }
        else
        {
            error.ContextInfo.WriteTo(json);
        }
        json.WriteString("help_url", HelpUrl);
        json.WriteString("request_id", requestId);
        json.WriteEndObject();
    }

    public static bool IsBoxRequest(HttpContext context) => context.Request.Path.StartsWithSegments(BoxApi.Prefix);
}
