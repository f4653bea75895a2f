using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Telemetry;
using Gateway.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Forwarding;

/// <summary>
/// Box parts sent without a SHA-1 are read whole before they leave: in memory while the instance's budget
/// (<c>Gateway:Forwarding:SpoolMemoryBytes</c>) allows, in a file of the spool directory beyond it; verified on the way,
/// given back when done.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PartSpoolTests : IDisposable
{
    private const int Chunk = PartSpooler.ChunkSize;
    private readonly string _directory = Directory.CreateTempSubdirectory("spool-test-").FullName;
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task A_part_held_in_memory_reads_back_whole_across_its_chunks_and_knows_its_digests_before_it_is_forwarded()
    {
        var spooler = Spooler(memory: 8L * Chunk);
        var part = RandomNumberGenerator.GetBytes(2 * Chunk + 12_345);
        using var body = Body(new TrickleStream(part), part.Length);

        await using (var spool = await spooler.FillAsync(body, default))
        {
            Assert.Equal(SHA1.HashData(part), body.Digests!.Sha1);
            Assert.Equal(SHA256.HashData(part), body.Digests.Sha256);
            Assert.Empty(Directory.GetFiles(_directory));
            Assert.Equal(3L * Chunk, spooler.HeldInMemory);
            Assert.Equal(part, await ReadAllAsync(spool));
        }

        Assert.Equal(0, spooler.HeldInMemory);
    }

    [Fact]
    public async Task With_no_memory_to_spend_a_part_goes_to_a_private_file_that_is_deleted_when_it_is_done()
    {
        var spooler = Spooler(memory: 0);
        var part = RandomNumberGenerator.GetBytes(300_000);
        using var body = Body(new TrickleStream(part), part.Length);

        await using (var spool = await spooler.FillAsync(body, default))
        {
            Assert.Equal(SHA1.HashData(part), body.Digests!.Sha1);
            var file = Assert.Single(Directory.GetFiles(_directory));
            Assert.Equal(PrivateFolder.FileMode, File.GetUnixFileMode(file));
            Assert.Equal(part, await ReadAllAsync(spool));
        }

        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Equal(0, spooler.HeldInMemory);
    }

    [Fact]
    public async Task Parts_go_to_memory_while_the_budget_allows_and_to_disk_beyond_it_until_memory_is_given_back()
    {
        var spooler = Spooler(memory: 2L * Chunk);
        var first = RandomNumberGenerator.GetBytes(Chunk + 1);
        var second = RandomNumberGenerator.GetBytes(100);
        var third = RandomNumberGenerator.GetBytes(Chunk);

        var inMemory = await spooler.FillAsync(Body(new MemoryStream(first), first.Length), default);
        await using (var onDisk = await spooler.FillAsync(Body(new MemoryStream(second), second.Length), default))
        {
            // The first part holds both chunks of the budget (whole chunks are counted), so even 100 bytes go to disk.
            Assert.Equal(2L * Chunk, spooler.HeldInMemory);
            Assert.Single(Directory.GetFiles(_directory));
            Assert.Equal(second, await ReadAllAsync(onDisk));
        }
        Assert.Equal(first, await ReadAllAsync(inMemory));
        await inMemory.DisposeAsync();

        await using var again = await spooler.FillAsync(Body(new MemoryStream(third), third.Length), default);
        Assert.Equal(1L * Chunk, spooler.HeldInMemory);
        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Equal(third, await ReadAllAsync(again));
    }

    [Fact]
    public async Task Operators_see_the_memory_held_now_and_how_many_parts_went_to_memory_and_to_disk()
    {
        using var capture = new MetricCapture([_meters.GetRequiredService<IMeterFactory>()], [GatewayTelemetry.Name]);
        var spooler = Spooler(memory: 2L * Chunk);
        var part = RandomNumberGenerator.GetBytes(Chunk + 1);
        double Held() => capture.Sum(GatewayMetrics.SpoolMemory);
        double Spooled(string where) => capture.Sum(GatewayMetrics.PartsSpooled, t => Equals(t["upload.spool"], where));

        var inMemory = await spooler.FillAsync(Body(new MemoryStream(part), part.Length), default);
        Assert.Equal(2.0 * Chunk, Held());
        await using (await spooler.FillAsync(Body(new MemoryStream(part), part.Length), default))
        {
            Assert.Equal((1.0, 1.0), (Spooled("memory"), Spooled("disk")));
        }
        await inMemory.DisposeAsync();
        await Assert.ThrowsAsync<PartBodyException>(() => spooler.FillAsync(Body(new MemoryStream(part), part.Length + 1), default));

        Assert.Equal(0, Held());
        Assert.Equal((2.0, 1.0), (Spooled("memory"), Spooled("disk")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4L * Chunk)]
    public async Task A_part_that_breaks_its_rule_while_it_is_read_leaves_no_file_and_holds_no_memory(long memory)
    {
        var spooler = Spooler(memory);
        var part = RandomNumberGenerator.GetBytes(Chunk + 1000);
        using var body = Body(new MemoryStream(part), part.Length + 1);

        var refusal = await Assert.ThrowsAsync<PartBodyException>(() => spooler.FillAsync(body, default));

        Assert.Equal(ErrorCode.PartSizeMismatch, refusal.Error);
        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Equal(0, spooler.HeldInMemory);
    }

    [Fact]
    public async Task A_part_whose_client_digest_is_wrong_is_refused_once_read_and_gives_its_memory_back()
    {
        var spooler = Spooler(memory: 4L * Chunk);
        var part = RandomNumberGenerator.GetBytes(Chunk);
        var claimed = new PartDigests(null, SHA1.HashData(RandomNumberGenerator.GetBytes(10)));
        using var body = new PartBodyStream(new MemoryStream(part), part.Length, claimed, DigestKinds.Sha1);

        var refusal = await Assert.ThrowsAsync<PartBodyException>(() => spooler.FillAsync(body, default));

        Assert.Equal(ErrorCode.ChecksumMismatch, refusal.Error);
        Assert.Equal(0, spooler.HeldInMemory);
    }

    private PartSpooler Spooler(long memory) =>
        new(Options.Create(new ForwardingOptions { SpoolDirectory = _directory, SpoolMemoryBytes = memory }), new GatewayMetrics(_meters.GetRequiredService<IMeterFactory>()));

    private static PartBodyStream Body(Stream source, long length) =>
        new(source, length, PartDigests.None, DigestKinds.Sha256 | DigestKinds.Sha1);

    /// <summary>Reads as the forwarder does: 64 KiB at a time.</summary>
    private static async Task<byte[]> ReadAllAsync(Stream spool)
    {
        using var copy = new MemoryStream();
        await spool.CopyToAsync(copy, 64 * 1024);
        return copy.ToArray();
    }

    public void Dispose()
    {
        _meters.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A client's body arriving in odd-sized reads, so chunk boundaries fall inside reads.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        private int _next = 7;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _next = _next * 31 % 100_003 + 1;
            return base.ReadAsync(buffer[..Math.Min(buffer.Length, _next)], cancellationToken);
        }
    }
}
