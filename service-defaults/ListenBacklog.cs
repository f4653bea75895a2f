using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults;

/// <summary>
/// Kestrel queues 512 connections not yet accepted (<see cref="SocketTransportOptions.Backlog"/>); a burst of thousands
/// of clients connecting at once overflows it, and the kernel drops or resets the rest. Every service of the solution
/// queues <see cref="Default"/> instead, <c>Kestrel:Sockets:Backlog</c> to change it (the kernel caps it at
/// <c>net.core.somaxconn</c>): the gateway for its clients, the mocks for the gateways in front of them (10,000
/// sessions through two gateways: docs/BENCHMARKS.md, "Scale").
/// </summary>
public static class ListenBacklog
{
    public const int Default = 4096;

    public static IServiceCollection AddListenBacklog(this IServiceCollection services)
    {
        services.AddOptions<SocketTransportOptions>().Configure(sockets => sockets.Backlog = Default).BindConfiguration("Kestrel:Sockets");
        return services;
    }
}
