using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Gateway.Draining;

internal static class DrainExtensions
{
    public static IServiceCollection AddDrain(this IServiceCollection services)
    {
        services.AddOptions<DrainOptions>().BindConfiguration(DrainOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The host's own stop timeout covers the whole drain, or it would cut the requests before the limit.
        services.AddOptions<HostOptions>().Configure<IOptions<DrainOptions>>((host, drain) => host.ShutdownTimeout = drain.Value.ShutdownTimeout);
        services.AddSingleton<InFlightRequests>();
        services.AddHostedService<GracefulDrain>();
        services.AddHealthChecks().AddCheck<DrainingCheck>(DrainingCheck.Name);
        return services;
    }

    /// <summary>
    /// Counts every request but the probes as in flight; while draining, answers each with <c>Connection: close</c>,
    /// so a client's next request opens a connection the load balancer sends to another instance.
    /// </summary>
    public static IApplicationBuilder UseDrain(this IApplicationBuilder app)
    {
        var requests = app.ApplicationServices.GetRequiredService<InFlightRequests>();
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.Equals(Extensions.LivenessPath) || path.Equals(Extensions.ReadinessPath))
            {
                await next(context);
                return;
            }
            requests.Add(context);
            try
            {
                if (requests.Draining)
                {
                    context.Response.Headers.Connection = "close";
                }
                await next(context);
            }
            finally
            {
                requests.Remove(context);
            }
        });
    }
}
