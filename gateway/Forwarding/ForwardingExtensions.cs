using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Gateway.Forwarding;

internal static class ForwardingExtensions
{
    private const long MaxSpoolMemoryBytes = 16L * 1024 * 1024 * 1024;

    public static IServiceCollection AddForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SpoolDirectory), "Gateway:Forwarding:SpoolDirectory may not be empty.")
            .Validate(o => o.SpoolMemoryBytes is >= 0 and <= MaxSpoolMemoryBytes,
                $"Gateway:Forwarding:SpoolMemoryBytes must be between 0 and {MaxSpoolMemoryBytes} (16 GiB).")
            .ValidateOnStart();
        services.AddHttpForwarder();
        services.AddOptions<SocketTransportOptions>().Configure(sockets => InlineScheduling.Configure(sockets, configuration));
        services.AddSingleton<PartForwarder>();
        services.AddSingleton<PartSpooler>();
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
