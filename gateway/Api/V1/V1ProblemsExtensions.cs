using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Api.V1;

internal static class V1ProblemsExtensions
{
    /// <summary>
    /// Problem details the framework's way (<c>AddProblemDetails</c>, an <see cref="IExceptionHandler"/>,
    /// <c>UseStatusCodePages</c>), written in the v1 contract's shape by <see cref="V1ProblemWriter"/>.
    /// </summary>
    public static IServiceCollection AddV1Problems(this IServiceCollection services)
    {
        // First among the writers: ProblemDetailsService asks them in registration order.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, V1ProblemWriter>());
        services.AddProblemDetails();
        services.AddExceptionHandler<V1ExceptionHandler>();
        return services;
    }

    /// <summary>Exceptions, then empty error responses (404, 405, challenges, rate limits), become problems.</summary>
    public static IApplicationBuilder UseV1Problems(this IApplicationBuilder app) =>
        app.UseExceptionHandler().UseStatusCodePages();
}
