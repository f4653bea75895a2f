using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Bench.Uploads;

/// <summary>
/// The file every run uploads: deterministic pseudo-random bytes (the same for a given size on every machine),
/// written to disk once, never held in memory. Its whole-file digests are computed while it is written, the
/// per-part SHA-1s (Box needs them before each part's body) once per part size, before any timing starts.
/// </summary>
internal sealed class TestFile : IDisposable
{
    private const int BlockSize = 1 << 20;

    private readonly ConcurrentDictionary<long, (byte[][] Sha1, byte[][] Sha256)> _partDigests = new();

    private readonly ConcurrentDictionary<(long Offset, long Length), string> _partFiles = new();

    private TestFile(string path, long length, byte[] sha1, byte[] sha256)
    {
        Path = path;
        Length = length;
        Sha1 = sha1;
        Sha256 = sha256;
        Handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
    }

    public string Path { get; }

    public long Length { get; }

    public byte[] Sha1 { get; }

    public byte[] Sha256 { get; }

    /// <summary>One handle shared by every part: positional reads (pread) need no seeking, so parts may read at once.</summary>
    public SafeFileHandle Handle { get; }

    public static async Task<TestFile> CreateAsync(string path, long length, CancellationToken cancellationToken)
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[BlockSize];
        await using (var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            BufferSize = 0,
            PreallocationSize = length,
            Options = FileOptions.Asynchronous,
        }))
        {
            for (long offset = 0, index = 0; offset < length; offset += BlockSize, index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Fill(block, (ulong)index);
                var count = (int)Math.Min(BlockSize, length - offset);
                sha1.AppendData(block, 0, count);
                sha256.AppendData(block, 0, count);
                await file.WriteAsync(block.AsMemory(0, count), cancellationToken);
            }
        }
        return new TestFile(path, length, sha1.GetHashAndReset(), sha256.GetHashAndReset());
    }

    /// <summary>SHA-1 of each part for a part size (index 0 is the first part), read from the file once per size.</summary>
    public byte[][] PartSha1(long partSize) => PartDigests(partSize).Sha1;

    /// <summary>SHA-256 of each part for a part size, computed with the SHA-1s, before any timing.</summary>
    public byte[][] PartSha256(long partSize) => PartDigests(partSize).Sha256;

    private (byte[][] Sha1, byte[][] Sha256) PartDigests(long partSize) => _partDigests.GetOrAdd(partSize, size =>
    {
        var count = (int)((Length + size - 1) / size);
        var sha1s = new byte[count][];
        var sha256s = new byte[count][];
        var buffer = new byte[BlockSize];
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var part = 0; part < count; part++)
        {
            var offset = part * size;
            var end = Math.Min(Length, offset + size);
            while (offset < end)
            {
                var read = RandomAccess.Read(Handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - offset)), offset);
                sha1.AppendData(buffer, 0, read);
                sha256.AppendData(buffer, 0, read);
                offset += read;
            }
            sha1s[part] = sha1.GetHashAndReset();
            sha256s[part] = sha256.GetHashAndReset();
        }
        return (sha1s, sha256s);
    });

    /// <summary>
    /// A file of its own holding <paramref name="length"/> bytes from <paramref name="offset"/>, for a client that sends
    /// whole files (curl's <c>--upload-file</c>); written once, in a folder beside the file, deleted with it.
    /// </summary>
    public string PartFile(long offset, long length) => _partFiles.GetOrAdd((offset, length), key =>
    {
        // Named after the file: the JIT warm-up's small file holds parts at the same offsets, and deletes its own.
        var directory = Directory.CreateDirectory(Path + ".parts").FullName;
        var path = System.IO.Path.Combine(directory, $"{key.Offset}-{key.Length}.bin");
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        var buffer = new byte[BlockSize];
        for (long done = 0; done < key.Length;)
        {
            var read = RandomAccess.Read(Handle, buffer.AsSpan(0, (int)Math.Min(BlockSize, key.Length - done)), key.Offset + done);
            output.Write(buffer, 0, read);
            done += read;
        }
        return path;
    });

    /// <summary>xorshift64* seeded by the block's index: fast, deterministic, incompressible enough for a transfer benchmark.</summary>
    private static void Fill(byte[] block, ulong index)
    {
        var state = 0x9E3779B97F4A7C15UL ^ (index * 0xBF58476D1CE4E5B9UL) | 1;
        for (var i = 0; i < block.Length; i += 8)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(i), state * 0x2545F4914F6CDD1DUL);
        }
    }

    public void Dispose()
    {
        Handle.Dispose();
        File.Delete(Path);
        foreach (var part in _partFiles.Values)
        {
            File.Delete(part);
        }
    }
}
