using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Domain;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Api.V1;

/// <summary>
/// Writes every problem the framework's <see cref="IProblemDetailsService"/> is asked for (by
/// <see cref="V1ExceptionHandler"/> and <c>UseStatusCodePages</c>) in the contract's shape:
/// <c>{"type", "title", "status", "detail", "code", "upload_id", "trace_id", …}</c>, as
/// <c>application/problem+json</c> whatever the request's <c>Accept</c> says (the contract promises it).
/// </summary>
/// <remarks>Registered ahead of the framework's default writer, which would honour <c>Accept</c> and name the trace <c>traceId</c>.</remarks>
internal sealed class V1ProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails.Extensions.ContainsKey(V1Problems.Code)
            ? context.ProblemDetails
            : V1Problems.ForStatus(http, context.ProblemDetails.Status ?? http.Response.StatusCode);
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        var code = (string)problem.Extensions[V1Problems.Code]!;
        var detail = problem.Detail ?? "";
        // The exception handler has cleared the route values by now; its feature kept them.
        var routeId = (http.Features.Get<IExceptionHandlerFeature>()?.RouteValues ?? http.Request.RouteValues)["id"] as string;
        var uploadId = problem.Extensions.TryGetValue(V1Problems.UploadId, out var given) && given is string id ? id : routeId;

        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = V1Problems.ContentType;
        response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }
        ProblemTelemetry.Record(http, new ErrorCode(code, status, problem.Title ?? ""), detail, uploadId);

        await using var json = new Utf8JsonWriter(response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("type", problem.Type);
        json.WriteString("title", problem.Title);
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteString(V1Problems.Code, code);
        if (uploadId is not null)
        {
            json.WriteString(V1Problems.UploadId, uploadId);
        }
        json.WriteString(V1Problems.TraceId, Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier);
        foreach (var (name, value) in problem.Extensions)
        {
            if (name is V1Problems.Code or V1Problems.UploadId)
            {
                continue;
            }
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
