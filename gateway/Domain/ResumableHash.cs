using System.Buffers.Binary;
using System.Numerics;

namespace Gateway.Domain;

/// <summary>
/// SHA-256 and SHA-1 (FIPS 180-4) whose running state can be saved and restored: a whole-object digest that
/// is computed as bytes arrive over many requests, on any instance. .NET's <c>IncrementalHash</c> keeps its
/// state inside the OS library and cannot export it, so the padding, the state and its export are here, and
/// the block function is OpenSSL's where it loads (<see cref="OpenSslBlocks"/>: as fast as the native hashes),
/// else the managed one below. <see cref="Export"/> is the chaining values, the bytes hashed so far and the
/// unfinished block.
/// </summary>
/// <param name="openSsl">Whether to run OpenSSL's block function where it works (tests turn it off to check the managed one).</param>
internal abstract class ResumableHash(bool openSsl)
{
    private const int BlockSize = 64;
    private readonly byte[] _block = new byte[BlockSize];
    private int _blockLength;
    private long _length;

    public long BytesHashed => _length;

    protected abstract uint[] State { get; }

    protected abstract byte Tag { get; }

    protected abstract int DigestSize { get; }

    public void Append(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        if (_blockLength > 0)
        {
            var take = Math.Min(BlockSize - _blockLength, data.Length);
            data[..take].CopyTo(_block.AsSpan(_blockLength));
            _blockLength += take;
            data = data[take..];
            if (_blockLength < BlockSize)
            {
                return;
            }
            CompressBlocks(_block);
            _blockLength = 0;
        }
        var whole = data.Length - data.Length % BlockSize;
        if (whole > 0)
        {
            CompressBlocks(data[..whole]);
            data = data[whole..];
        }
        data.CopyTo(_block);
        _blockLength = data.Length;
    }

    /// <summary>The digest of everything appended; the state itself is left as it was.</summary>
    public byte[] Digest()
    {
        Span<byte> tail = stackalloc byte[BlockSize * 2];
        _block.AsSpan(0, _blockLength).CopyTo(tail);
        tail[_blockLength] = 0x80;
        var padded = _blockLength + 1 + 8 <= BlockSize ? BlockSize : BlockSize * 2;
        tail[(_blockLength + 1)..padded].Clear();
        BinaryPrimitives.WriteInt64BigEndian(tail[(padded - 8)..padded], _length * 8);
        var saved = (uint[])State.Clone();
        CompressBlocks(tail[..padded]);
        var digest = new byte[DigestSize];
        for (var i = 0; i < DigestSize / 4; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.AsSpan(i * 4), State[i]);
        }
        saved.CopyTo(State, 0);
        return digest;
    }

    public byte[] Export()
    {
        var state = State;
        var bytes = new byte[1 + 8 + 1 + state.Length * 4 + _blockLength];
        bytes[0] = Tag;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), _length);
        bytes[9] = (byte)_blockLength;
        for (var i = 0; i < state.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(10 + i * 4), state[i]);
        }
        _block.AsSpan(0, _blockLength).CopyTo(bytes.AsSpan(10 + state.Length * 4));
        return bytes;
    }

    /// <summary>Restores a state <see cref="Export"/> wrote; false when the bytes are not one (wrong algorithm, truncated).</summary>
    public bool TryImport(ReadOnlySpan<byte> bytes)
    {
        var state = State;
        var header = 10 + state.Length * 4;
        if (bytes.Length < header || bytes[0] != Tag || bytes[9] >= BlockSize || bytes.Length != header + bytes[9])
        {
            return false;
        }
        var length = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (length < 0 || length % BlockSize != bytes[9])
        {
            return false;
        }
        for (var i = 0; i < state.Length; i++)
        {
            state[i] = BinaryPrimitives.ReadUInt32BigEndian(bytes[(10 + i * 4)..]);
        }
        _length = length;
        _blockLength = bytes[9];
        bytes[header..].CopyTo(_block);
        return true;
    }

    /// <summary>Runs the block function over <paramref name="blocks"/>, a whole number of 64-byte blocks.</summary>
    private void CompressBlocks(ReadOnlySpan<byte> blocks)
    {
        if (openSsl && CompressWithOpenSsl(blocks))
        {
            return;
        }
        for (var offset = 0; offset < blocks.Length; offset += BlockSize)
        {
            Compress(blocks.Slice(offset, BlockSize));
        }
    }

    /// <summary>OpenSSL's block function over <see cref="State"/>; false where it does not work.</summary>
    private protected abstract bool CompressWithOpenSsl(ReadOnlySpan<byte> blocks);

    /// <summary>The managed block function, one block.</summary>
    private protected abstract void Compress(ReadOnlySpan<byte> block);
}

internal sealed class ResumableSha256(bool openSsl = true) : ResumableHash(openSsl)
{
    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>The initial chaining values (FIPS 180-4, 5.3.3).</summary>
    internal static ReadOnlySpan<uint> Initial => [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    private readonly uint[] _state = Initial.ToArray();
    private readonly uint[] _w = new uint[64];

    protected override uint[] State => _state;

    protected override byte Tag => 2;

    protected override int DigestSize => 32;

    private protected override bool CompressWithOpenSsl(ReadOnlySpan<byte> blocks) => OpenSslBlocks.Sha256(_state, blocks);

    private protected override void Compress(ReadOnlySpan<byte> block)
    {
        var w = _w;
        for (var i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        }
        for (var i = 16; i < 64; i++)
        {
            var s0 = BitOperations.RotateRight(w[i - 15], 7) ^ BitOperations.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
            var s1 = BitOperations.RotateRight(w[i - 2], 17) ^ BitOperations.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint a = _state[0], b = _state[1], c = _state[2], d = _state[3], e = _state[4], f = _state[5], g = _state[6], h = _state[7];
        for (var i = 0; i < 64; i++)
        {
            var s1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
            var t1 = h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i];
            var s0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
            var t2 = s0 + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        _state[0] += a;
        _state[1] += b;
        _state[2] += c;
        _state[3] += d;
        _state[4] += e;
        _state[5] += f;
        _state[6] += g;
        _state[7] += h;
    }
}

internal sealed class ResumableSha1(bool openSsl = true) : ResumableHash(openSsl)
{
    /// <summary>The initial chaining values (FIPS 180-4, 5.3.1).</summary>
    internal static ReadOnlySpan<uint> Initial => [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

    private readonly uint[] _state = Initial.ToArray();
    private readonly uint[] _w = new uint[80];

    protected override uint[] State => _state;

    protected override byte Tag => 1;

    protected override int DigestSize => 20;

    private protected override bool CompressWithOpenSsl(ReadOnlySpan<byte> blocks) => OpenSslBlocks.Sha1(_state, blocks);

    private protected override void Compress(ReadOnlySpan<byte> block)
    {
        var w = _w;
        for (var i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        }
        for (var i = 16; i < 80; i++)
        {
            w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        }
        uint a = _state[0], b = _state[1], c = _state[2], d = _state[3], e = _state[4];
        for (var i = 0; i < 80; i++)
        {
            uint f, k;
            if (i < 20)
            {
                f = (b & c) | (~b & d);
                k = 0x5a827999;
            }
            else if (i < 40)
            {
                f = b ^ c ^ d;
                k = 0x6ed9eba1;
            }
            else if (i < 60)
            {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8f1bbcdc;
            }
            else
            {
                f = b ^ c ^ d;
                k = 0xca62c1d6;
            }
            var t = BitOperations.RotateLeft(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = t;
        }
        _state[0] += a;
        _state[1] += b;
        _state[2] += c;
        _state[3] += d;
        _state[4] += e;
    }
}
