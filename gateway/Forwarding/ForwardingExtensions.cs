using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Gateway.Forwarding;

internal static class ForwardingExtensions
{
    public static IServiceCollection AddForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SpoolDirectory), "Gateway:Forwarding:SpoolDirectory may not be empty.")
            .ValidateOnStart();
        services.AddHttpForwarder();
        services.AddOptions<SocketTransportOptions>().Configure(sockets => InlineScheduling.Configure(sockets, configuration));
        services.AddSingleton<PartForwarder>();
        services.AddSingleton<IPostConfigureOptions<ForwardingOptions>, CreateSpoolDirectory>();
        return services;
    }

    /// <summary>The spool directory exists, private to this user, before the first Box part needs it (checked at start).</summary>
    private sealed class CreateSpoolDirectory : IPostConfigureOptions<ForwardingOptions>
    {
        public void PostConfigure(string? name, ForwardingOptions options) =>
            Domain.PrivateFolder.Ensure(options.SpoolDirectory, $"{ForwardingOptions.Section}:SpoolDirectory");
    }
}
