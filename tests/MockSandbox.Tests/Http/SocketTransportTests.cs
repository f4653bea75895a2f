using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using MockSandbox.Tests.Support;
using ServiceDefaults;

namespace MockSandbox.Tests.Http;

public sealed class SocketTransportTests
{
    [Fact]
    public async Task The_mocks_socket_transport_receives_parts_into_64_KiB_blocks()
    {
        await using var mock = await SandboxMockHost.StartAsync();

        var options = mock.App.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        var factory = typeof(SocketTransportOptions).GetProperty("MemoryPoolFactory", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(options);

        Assert.IsType<LargeBlockMemoryPoolFactory>(factory);
    }

    [Fact]
    public async Task The_mock_queues_thousands_of_connections_not_yet_accepted_as_the_gateway_does()
    {
        await using var mock = await SandboxMockHost.StartAsync();

        Assert.Equal(ListenBacklog.Default, mock.App.GetRequiredService<IOptions<SocketTransportOptions>>().Value.Backlog);
    }
}
