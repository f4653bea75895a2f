using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Gateway.Forwarding;

internal static class ForwardingExtensions
{
    public static IServiceCollection AddForwarding(this IServiceCollection services)
    {
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SpoolDirectory), "Gateway:Forwarding:SpoolDirectory may not be empty.")
            .ValidateOnStart();
        services.AddHttpForwarder();
        // Kestrel's default first waits for each read with a zero-byte receive, then reads at most one 4 KiB pool
        // block: up to two receive calls per 4 KiB of a part. Reading straight away saves the first; measured with bench/
        // (docs/BENCHMARKS.md) it takes 11-17% off the gateway's CPU per uploaded byte. The price is one 4 KiB
        // block held by each idle connection.
        services.Configure<SocketTransportOptions>(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        services.AddSingleton<PartForwarder>();
        services.AddSingleton<IPostConfigureOptions<ForwardingOptions>, CreateSpoolDirectory>();
        return services;
    }

    /// <summary>The spool directory exists before the first Box part needs it.</summary>
    private sealed class CreateSpoolDirectory : IPostConfigureOptions<ForwardingOptions>
    {
        public void PostConfigure(string? name, ForwardingOptions options) => Directory.CreateDirectory(options.SpoolDirectory);
    }
}
