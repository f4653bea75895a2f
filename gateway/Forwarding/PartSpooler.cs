using System.Buffers;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Forwarding;

/// <summary>
/// Holds the parts that must be read whole before they leave: Box needs a part's SHA-1 in a header before its body
/// (docs/architecture.md, the path of one part), so a part sent without one is read and hashed first. A part goes to
/// memory while this instance holds less than <see cref="ForwardingOptions.SpoolMemoryBytes"/> of such parts, and
/// beyond that to a file of <see cref="ForwardingOptions.SpoolDirectory"/>: a tmpfs or page-cache file costs twice the
/// copies and a page allocation per 4 KiB (docs/BENCHMARKS.md, "Box parts spooled in memory"). A tus chunk with
/// <c>Upload-Checksum</c>, verified before any of it goes on, is held here too (<c>Rechunking/Rechunker</c>).
/// </summary>
internal sealed class PartSpooler
{
    /// <summary>Memory is held in chunks of this size, counted whole against the budget.</summary>
    public const int ChunkSize = 1024 * 1024;

    private readonly ForwardingOptions _options;
    private readonly GatewayMetrics _metrics;
    // Keeps at most the budget's chunks for reuse: large arrays dropped to the GC would be large-object garbage.
    private readonly ArrayPool<byte> _chunks;
    private long _held;

    public PartSpooler(IOptions<ForwardingOptions> options, GatewayMetrics metrics)
    {
        _options = options.Value;
        _metrics = metrics;
        _chunks = ArrayPool<byte>.Create(ChunkSize, (int)Math.Max(1, _options.SpoolMemoryBytes / ChunkSize));
    }

    /// <summary>Bytes of memory held by parts now (whole chunks).</summary>
    public long HeldInMemory => Volatile.Read(ref _held);

    public async Task<PartSpool> FillAsync(PartBodyStream body, CancellationToken cancellationToken)
    {
        var held = (body.Length + ChunkSize - 1) / ChunkSize * ChunkSize;
        var inMemory = TryHold(held);
        _metrics.PartSpooled(inMemory);
        if (!inMemory)
        {
            return await PartSpool.FillFileAsync(_options.SpoolDirectory, body, cancellationToken);
        }
        try
        {
            return await PartSpool.FillMemoryAsync(body, _chunks, ChunkSize, () => Release(held), cancellationToken);
        }
        catch
        {
            Release(held);
            throw;
        }
    }

    private void Release(long bytes)
    {
        Interlocked.Add(ref _held, -bytes);
        _metrics.SpoolMemoryChanged(-bytes);
    }

    private bool TryHold(long bytes)
    {
        var held = Volatile.Read(ref _held);
        while (held + bytes <= _options.SpoolMemoryBytes)
        {
            var seen = Interlocked.CompareExchange(ref _held, held + bytes, held);
            if (seen == held)
            {
                _metrics.SpoolMemoryChanged(bytes);
                return true;
            }
            held = seen;
        }
        return false;
    }
}
