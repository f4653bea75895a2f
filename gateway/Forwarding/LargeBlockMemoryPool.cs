using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Forwarding;

/// <summary>
/// Kestrel's buffers in 64 KiB blocks instead of its default 4 KiB. Kestrel receives into one pool block at a
/// time, so a part arrived in 4 KiB receives, about 80,000 system calls per second at full speed; with
/// 64 KiB blocks it is about 3,000. Measured with bench/ (docs/BENCHMARKS.md): a third less gateway CPU per
/// uploaded byte. Idle connections hold no block (Kestrel waits for data before it rents one), and the pool
/// keeps at most <see cref="MaxRetainedBlocks"/> free blocks, so memory stays bounded.
/// </summary>
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
