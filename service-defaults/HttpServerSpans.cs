using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace ServiceDefaults;

/// <summary>
/// Names and tags ASP.NET Core's own server span the way the OpenTelemetry HTTP semantic conventions do
/// (<c>PUT /v1/uploads/{id}/parts/{partNumber}</c>, <c>http.request.method</c>, <c>http.route</c>,
/// <c>url.path</c>, <c>server.port</c>, <c>http.response.status_code</c>, …). ASP.NET Core creates the span
/// and takes its parent from the incoming <c>traceparent</c>, but leaves it named
/// <c>Microsoft.AspNetCore.Hosting.HttpRequestIn</c> and untagged; the OpenTelemetry.Instrumentation.AspNetCore
/// package that would fill it in is not available here (ENVIRONMENT.md).
/// </summary>
/// <remarks>
/// Runs first in every service's pipeline (a startup filter), so the route and the final status are known when
/// it tags. The query string is never recorded: it may carry tokens.
/// </remarks>
internal sealed class HttpServerSpans : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(TagAsync);
        next(app);
    };

    private static async Task TagAsync(HttpContext context, RequestDelegate next)
    {
        var span = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (span is not { IsAllDataRequested: true })
        {
            await next(context);
            return;
        }
        var request = context.Request;
        span.SetTag("http.request.method", request.Method);
        span.SetTag("url.scheme", request.Scheme);
        span.SetTag("url.path", request.PathBase.Add(request.Path).Value);
        span.SetTag("server.address", request.Host.Host);
        if (request.Host.Port is { } port)
        {
            span.SetTag("server.port", port);
        }
        span.SetTag("network.protocol.version", request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? request.Protocol[5..] : request.Protocol);
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            span.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
            if (route is not null)
            {
                span.SetTag("http.route", route);
            }
            var status = context.Response.StatusCode;
            span.SetTag("http.response.status_code", status);
            // Semantic conventions: on a server span only a 5xx is an error; a service may have set a more precise error.type.
            if (status >= 500)
            {
                if (span.GetTagItem("error.type") is null)
                {
                    span.SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
                }
                span.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}
