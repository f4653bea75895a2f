using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using MockSandbox.Tests.Support;
using ServiceDefaults;

namespace MockSandbox.Tests.Http;

public sealed class ReceiveBlocksTests
{
    [Fact]
    public async Task The_mocks_socket_transport_receives_parts_into_64_KiB_blocks()
    {
        await using var mock = await SandboxMockHost.StartAsync();

        var options = mock.App.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        var factory = typeof(SocketTransportOptions).GetProperty("MemoryPoolFactory", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(options);

        Assert.IsType<LargeBlockMemoryPoolFactory>(factory);
    }
}
