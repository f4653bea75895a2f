using Gateway.Sessions;
using Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Events;

internal static class EventsExtensions
{
    /// <summary>
    /// Webhook delivery of the lifecycle events (docs/events.md), <c>Gateway:Webhooks</c> validated at start-up.
    /// The front that owns the session body registers the <see cref="IEventDataWriter"/>.
    /// </summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>());
        services.TryAddSingleton<WebhookMetrics>();
        // Events are written only for someone to deliver them to.
        services.AddOptions<StoreOptions>().PostConfigure<IOptions<WebhookOptions>>((store, webhooks) =>
            store.WriteEvents = webhooks.Value.Endpoints.Count > 0);
        services.AddHostedService<WebhookDelivery>();
        return services;
    }
}
