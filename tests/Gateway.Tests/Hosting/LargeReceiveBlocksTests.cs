using System.Reflection;
using Gateway.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Gateway.Tests.Hosting;

public sealed class LargeReceiveBlocksTests
{
    [Fact]
    public void A_rented_block_has_64_KiB_and_is_reused_once_returned()
    {
        using var pool = new LargeBlockMemoryPool();

        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();
        using var second = pool.Rent(1000);

        Assert.Equal(LargeBlockMemoryPool.BlockSize, memory.Length);
        Assert.True(memory.Span == second.Memory.Span, "the returned block was not reused");
    }

    [Fact]
    public void A_block_returned_twice_goes_back_to_the_pool_once()
    {
        using var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();
        var memory = block.Memory;

        block.Dispose();
        block.Dispose();
        using var a = pool.Rent();
        using var b = pool.Rent();

        Assert.False(a.Memory.Span == b.Memory.Span, "one block was handed out twice");
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
        Assert.True(memory.Span == a.Memory.Span);
    }

    [Fact]
    public void The_pool_keeps_a_bounded_number_of_free_blocks()
    {
        using var pool = new LargeBlockMemoryPool();
        var blocks = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetainedBlocks + 50).Select(_ => pool.Rent()).ToList();
        var arrays = blocks.Select(b => b.Memory).ToList();
        blocks.ForEach(b => b.Dispose());

        var reused = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetainedBlocks + 50).Select(_ => pool.Rent()).ToList();

        var again = reused.Count(r => arrays.Any(a => a.Span == r.Memory.Span));
        Assert.Equal(LargeBlockMemoryPool.MaxRetainedBlocks, again);
    }

    [Fact]
    public void A_request_for_more_than_a_block_is_refused_and_a_disposed_pool_rents_nothing()
    {
        var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));

        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public async Task The_gateways_socket_transport_receives_into_the_large_blocks()
    {
        await using var system = await GatewayHarness.StartAsync();

        var options = system.Gateway.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        var factory = typeof(SocketTransportOptions).GetProperty("MemoryPoolFactory", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(options);

        Assert.IsType<LargeBlockMemoryPoolFactory>(factory);
    }
}
