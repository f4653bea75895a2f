using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults;

/// <summary>
/// Kestrel's buffers in 64 KiB blocks instead of its default 4 KiB. Kestrel receives into one pool block at a
/// time, so a body arrives in receives of 4 KiB or less: measured on mock-sandbox taking parts at 330 MB/s,
/// 125,000 <c>recvfrom</c> calls a second, 2.6 KiB each; with 64 KiB blocks about 3,000 at the gateway's speed
/// (docs/BENCHMARKS.md: a third less gateway CPU per uploaded byte). Every service of the solution takes large
/// bodies (the gateway parts, the mocks the parts the gateway forwards), so all three receive this way. Idle
/// connections hold no block (Kestrel waits for data before it rents one), and the pool keeps at most
/// <see cref="LargeBlockMemoryPool.MaxRetainedBlocks"/> free blocks, so memory stays bounded.
/// </summary>
public static class LargeReceiveBlocks
{
    /// <summary>Registers the pool's factory; call after the web host's own services (Kestrel's factory) so this one is resolved.</summary>
    public static IServiceCollection AddLargeReceiveBlocks(this IServiceCollection services) =>
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
}

internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks kept for reuse (16 MiB); more are left to the garbage collector.</summary>
    public const int MaxRetainedBlocks = 256;

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
        }
        // Pinned, like Kestrel's own blocks: sockets read into them without pinning per call.
        return new Block(this, block ?? GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    private void Return(byte[] block)
    {
        if (!_disposed && Interlocked.Increment(ref _freeCount) <= MaxRetainedBlocks)
        {
            _free.Enqueue(block);
            return;
        }
        Interlocked.Decrement(ref _freeCount);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
