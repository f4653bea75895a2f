using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Box;

internal static class BoxFrontExtensions
{
    /// <summary>
    /// The Box front: its routing options (validated at start-up), its error envelope, and the part geometry it
    /// remembers. Call before the v1 front's problems: the framework asks exception handlers and problem writers
    /// in registration order, and Box's take only Box routes.
    /// </summary>
    public static IServiceCollection AddBoxFront(this IServiceCollection services)
    {
        services.AddOptions<BoxFrontCatalogOptions>().BindConfiguration(BoxFrontCatalogOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BoxFrontCatalogOptions>, BoxFrontOptionsValidation>();
        services.AddSingleton<BoxRouting>();
        services.AddSingleton<BoxSessionShapes>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, BoxProblemWriter>());
        services.AddExceptionHandler<BoxExceptionHandler>();
        return services;
    }
}
