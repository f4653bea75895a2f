using Gateway.Rechunking;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

internal static class TusExtensions
{
    public static IServiceCollection AddTus(this IServiceCollection services)
    {
        services.AddOptions<TusOptions>().BindConfiguration(TusOptions.Section)
            .Validate(o => o.CompletionWait >= TimeSpan.Zero, $"{TusOptions.Section}:CompletionWait may not be negative.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TusOptions>, MovedKeysValidation>();
        services.AddOptions<TusTenantCatalog>().BindConfiguration("Gateway").ValidateOnStart();
        services.AddSingleton<IValidateOptions<TusTenantCatalog>, TusTenantCatalogValidation>();
        services.AddSingleton<TusRecords>();
        services.AddSingleton<TusWriter>();
        services.AddSingleton<TusPartials>();
        services.AddSingleton<IStagingSweep, TusPartialsSweep>();
        return services;
    }

    /// <summary>
    /// Before routing: <c>X-HTTP-Method-Override</c> (for clients behind proxies that pass only GET and POST),
    /// so the endpoint the override names is the one chosen.
    /// </summary>
    public static IApplicationBuilder UseTusMethodOverride(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        if (IsTus(request.Path) && HttpMethods.IsPost(request.Method)
            && request.Headers["X-HTTP-Method-Override"].ToString() is { Length: > 0 } method
            && (HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method) || HttpMethods.IsHead(method)))
        {
            request.Method = method.ToUpperInvariant();
        }
        return next(context);
    });

    /// <summary>
    /// After the problem writer: <c>Tus-Resumable</c> on every tus response but OPTIONS (errors too), and a
    /// request in another protocol version refused with 412 and the version this server speaks.
    /// </summary>
    public static IApplicationBuilder UseTusProtocol(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        if (!IsTus(request.Path) || HttpMethods.IsOptions(request.Method))
        {
            return next(context);
        }
        var response = context.Response;
        response.OnStarting(() =>
        {
            response.Headers["Tus-Resumable"] = TusApi.Version;
            if (response.StatusCode == StatusCodes.Status412PreconditionFailed)
            {
                response.Headers["Tus-Version"] = TusApi.Version;
            }
            return Task.CompletedTask;
        });
        if (request.Headers["Tus-Resumable"].ToString() != TusApi.Version)
        {
            throw new Domain.GatewayException(Domain.ErrorCode.InvalidRequest with { Status = StatusCodes.Status412PreconditionFailed },
                $"This server speaks tus {TusApi.Version}: send Tus-Resumable: {TusApi.Version}.");
        }
        return next(context);
    });

    /// <summary>An old key of the staging directory stops start-up with a sentence naming its new place.</summary>
    private sealed class MovedKeysValidation(IConfiguration configuration) : IValidateOptions<TusOptions>
    {
        public ValidateOptionsResult Validate(string? name, TusOptions options) =>
            TusOptions.MovedKeys(configuration).ToList() is { Count: > 0 } moved ? ValidateOptionsResult.Fail(moved) : ValidateOptionsResult.Success;
    }

    private static bool IsTus(PathString path) => path.StartsWithSegments("/tus");
}
