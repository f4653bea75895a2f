using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Telemetry;
using Gateway.Domain;

namespace Gateway.Api.V1;

/// <summary>
/// Writes RFC 9457 problem details in the contract's shape:
/// <c>{"type", "title", "status", "detail", "code", "upload_id", "trace_id", …}</c>.
/// </summary>
internal static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static Task WriteAsync(HttpContext context, GatewayException problem) =>
        WriteAsync(context, problem.Error, problem.Message, problem.UploadId, problem.RetryAfter, problem.Extensions);

    public static async Task WriteAsync(HttpContext context, ErrorCode error, string detail, string? uploadId = null,
        TimeSpan? retryAfter = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }
        uploadId ??= context.GetRouteValue("id") as string;
        ProblemTelemetry.Record(context, error, detail, uploadId);

        await using var json = new Utf8JsonWriter(response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("type", "/errors/" + error.Code);
        json.WriteString("title", error.Title);
        json.WriteNumber("status", error.Status);
        json.WriteString("detail", detail);
        json.WriteString("code", error.Code);
        if (uploadId is not null)
        {
            json.WriteString("upload_id", uploadId);
        }
        json.WriteString("trace_id", Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            json.WritePropertyName(name);
            switch (value)
            {
                case null:
                    json.WriteNullValue();
                    break;
                case string text:
                    json.WriteStringValue(text);
                    break;
                case long number:
                    json.WriteNumberValue(number);
                    break;
                case int number:
                    json.WriteNumberValue(number);
                    break;
                default:
                    json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
        json.WriteEndObject();
    }
}
