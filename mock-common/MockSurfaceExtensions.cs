using System.Buffers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MockCommon;

/// <summary>
/// The mock-only surface under <c>/_mock/</c>: fault injection and reset. Not part of any real API, so it
/// exists only when the mock runs in test mode; otherwise those paths are the API's ordinary 404.
/// </summary>
public static class MockSurfaceExtensions
{
    public const string Prefix = "/_mock";

    public static IServiceCollection AddMockFaults(this IServiceCollection services) =>
        services.AddSingleton<FaultInjector>();

    /// <summary>
    /// Applies injected faults to every request outside <c>/_mock/</c>. Put it early in the pipeline,
    /// after routing-independent middleware and before the API's endpoints.
    /// </summary>
    public static IApplicationBuilder UseMockFaults(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Prefix))
            {
                await next(context);
                return;
            }
            var faults = context.RequestServices.GetRequiredService<FaultInjector>();
            var (latencyMs, failure) = faults.Take(context.Request.Method, context.Request.Path.Value ?? "");
            if (latencyMs > 0)
            {
                await Task.Delay(latencyMs, context.RequestAborted);
            }
            switch (failure?.Kind)
            {
                case FaultKind.Error:
                    if (failure.RetryAfter is { } retryAfter)
                    {
                        context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    await context.RequestServices.GetRequiredService<IMockErrorWriter>().WriteAsync(
                        context, failure.Status, failure.Code ?? "injected_fault", failure.Message ?? "Fault injected by the mock's test surface.");
                    return;
                case FaultKind.Drop:
                    await DrainAsync(context.Request.Body, failure.AfterBytes, context.RequestAborted);
                    context.Abort();
                    return;
                case FaultKind.Omit:
                    await OmitAsync(context, next, failure.Field ?? "");
                    return;
                default:
                    await next(context);
                    return;
            }
        });

    /// <summary>
    /// Maps <c>GET/POST/DELETE /_mock/faults</c> and <c>POST /_mock/reset</c> and returns the
    /// <c>/_mock</c> group for the mock's own test endpoints. <paramref name="reset"/> clears the
    /// mock's own state; faults are cleared with it.
    /// </summary>
    public static RouteGroupBuilder MapMockSurface(this IEndpointRouteBuilder endpoints, Func<IServiceProvider, Task> reset)
    {
        var group = endpoints.MapGroup(Prefix);
        group.MapGet("/faults", (FaultInjector faults) => TypedResults.Ok(faults.List()));
        group.MapPost("/faults", Results<Created<FaultRule>, BadRequest<string>> (FaultRule rule, FaultInjector faults) =>
        {
            try
            {
                faults.Add(rule);
                return TypedResults.Created($"{Prefix}/faults", rule);
            }
            catch (ArgumentOutOfRangeException e)
            {
                return TypedResults.BadRequest(e.Message);
            }
        });
        group.MapDelete("/faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return TypedResults.NoContent();
        });
        group.MapPost("/reset", async (IServiceProvider services, FaultInjector faults) =>
        {
            faults.Clear();
            await reset(services);
            return TypedResults.NoContent();
        });
        return group;
    }

    /// <summary>Runs the API, holding its (small, JSON) answer back, and sends it on without the member.</summary>
    private static async Task OmitAsync(HttpContext context, RequestDelegate next, string field)
    {
        var original = context.Response.Body;
        using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        var body = held.ToArray();
        if (JsonNode.Parse(body) is { } json)
        {
            Remove(json, field);
            body = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        }
        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, context.RequestAborted);
    }

    private static void Remove(JsonNode node, string field)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove(field);
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        Remove(child, field);
                    }
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Remove(child, field);
                    }
                }
                break;
        }
    }

    private static async Task DrainAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (count > 0)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
                if (read == 0)
                {
                    return;
                }
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
