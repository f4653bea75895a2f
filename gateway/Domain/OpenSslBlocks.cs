using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gateway.Domain;

/// <summary>
/// OpenSSL's SHA-256 and SHA-1 block functions (SHA-NI where the CPU has it) run over a state kept outside
/// OpenSSL, for <see cref="ResumableHash"/>. The low-level <c>SHA256_Update</c> and <c>SHA1_Update</c> take their
/// context as a plain struct (<c>openssl/sha.h</c>), which, unlike <c>IncrementalHash</c>'s, can be filled from a
/// saved state and read back; fed whole blocks, they only run the block function. libcrypto 3 is the library .NET
/// itself uses on Linux. Each function is used once it has turned a known block into its known digest; where the
/// library is missing or answers otherwise, <see cref="Sha256"/> and <see cref="Sha1"/> say false and the caller
/// runs the managed block function. The managed SHA-256 cost the tus front 62% of its CPU (docs/BENCHMARKS.md).
/// </summary>
internal static class OpenSslBlocks
{
    private const string Library = "libcrypto.so.3";

    private static readonly Lazy<bool> Sha256Works = new(() => Works(HashAlgorithmName.SHA256));
    private static readonly Lazy<bool> Sha1Works = new(() => Works(HashAlgorithmName.SHA1));

    /// <summary>Advances the 8-word SHA-256 <paramref name="state"/> over whole 64-byte blocks; false when OpenSSL cannot.</summary>
    public static bool Sha256(uint[] state, ReadOnlySpan<byte> blocks)
    {
        if (!Sha256Works.Value)
        {
            return false;
        }
        Run256(state, blocks);
        return true;
    }

    /// <summary>Advances the 5-word SHA-1 <paramref name="state"/> over whole 64-byte blocks; false when OpenSSL cannot.</summary>
    public static bool Sha1(uint[] state, ReadOnlySpan<byte> blocks)
    {
        if (!Sha1Works.Value)
        {
            return false;
        }
        Run1(state, blocks);
        return true;
    }

    private static void Run256(uint[] state, ReadOnlySpan<byte> blocks)
    {
        var context = default(Sha256Context);
        state.CopyTo(context.H);
        context.MdLen = 32;
        Sha256Update(ref context, ref MemoryMarshal.GetReference(blocks), (nuint)blocks.Length);
        ((ReadOnlySpan<uint>)context.H).CopyTo(state);
    }

    private static void Run1(uint[] state, ReadOnlySpan<byte> blocks)
    {
        var context = default(Sha1Context);
        state.CopyTo(context.H);
        Sha1Update(ref context, ref MemoryMarshal.GetReference(blocks), (nuint)blocks.Length);
        ((ReadOnlySpan<uint>)context.H).CopyTo(state);
    }

    /// <summary>
    /// Hashes "abc" by hand — the initial state, one padded block through OpenSSL — and compares with .NET's
    /// digest: the library loads, has the function, and lays its context out as this file does.
    /// </summary>
    private static bool Works(HashAlgorithmName algorithm)
    {
        try
        {
            var block = new byte[64];
            "abc"u8.CopyTo(block);
            block[3] = 0x80;
            block[63] = 24; // the message's length in bits
            var state = (algorithm == HashAlgorithmName.SHA256 ? ResumableSha256.Initial : ResumableSha1.Initial).ToArray();
            byte[] expected;
            if (algorithm == HashAlgorithmName.SHA256)
            {
                Run256(state, block);
                expected = SHA256.HashData("abc"u8);
            }
            else
            {
                Run1(state, block);
                expected = System.Security.Cryptography.SHA1.HashData("abc"u8);
            }
            var digest = new byte[state.Length * 4];
            for (var i = 0; i < state.Length; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(digest.AsSpan(i * 4), state[i]);
            }
            return digest.AsSpan().SequenceEqual(expected);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    [DllImport(Library, EntryPoint = "SHA256_Update")]
    private static extern int Sha256Update(ref Sha256Context context, ref byte data, nuint length);

    [DllImport(Library, EntryPoint = "SHA1_Update")]
    private static extern int Sha1Update(ref Sha1Context context, ref byte data, nuint length);

    // SHA256_CTX and SHA_CTX of openssl/sha.h: chaining values, bit count (low, high), the unfinished block, its length.
    [StructLayout(LayoutKind.Sequential)]
    private struct Sha256Context
    {
        public Words8 H;
        public uint Nl;
        public uint Nh;
        public Words16 Data;
        public uint Num;
        public uint MdLen;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Sha1Context
    {
        public Words5 H;
        public uint Nl;
        public uint Nh;
        public Words16 Data;
        public uint Num;
    }

    [InlineArray(8)]
    private struct Words8
    {
        private uint _first;
    }

    [InlineArray(5)]
    private struct Words5
    {
        private uint _first;
    }

    [InlineArray(16)]
    private struct Words16
    {
        private uint _first;
    }
}
