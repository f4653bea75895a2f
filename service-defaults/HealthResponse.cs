using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDefaults;

/// <summary>
/// The body of <c>/readyz</c>: <c>{"status": "ok" | "unavailable", "checks": {"store": "ok", "backend:box": "unreachable", …}}</c>,
/// the shape the gateway's readiness always had. Check descriptions and exceptions stay out: they may name hosts.
/// </summary>
internal static class HealthResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status == HealthStatus.Unhealthy ? "unavailable" : "ok");
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteString(name, entry.Status == HealthStatus.Unhealthy ? "unreachable" : "ok");
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
