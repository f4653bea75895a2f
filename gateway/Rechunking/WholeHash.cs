using Gateway.Domain;
using UploadGateway.Contract;

namespace Gateway.Rechunking;

/// <summary>
/// The whole-object digests a backend checks at completion (<c>ChecksumsRequired.Complete</c>: Box's SHA-1),
/// resumable across requests and instances (OpenSSL's block function over an exportable state:
/// Domain/ResumableHash.cs). That is all a re-chunked upload is hashed for: tus clients send no whole-object
/// digest, so a backend that checks none at completion gets none, and no byte is hashed for it.
/// </summary>
internal sealed class WholeHash
{
    private WholeHash(bool sha256, bool sha1)
    {
        Sha256 = sha256 ? new() : null;
        Sha1 = sha1 ? new() : null;
    }

    public ResumableSha256? Sha256 { get; }

    public ResumableSha1? Sha1 { get; }

    /// <summary>A hash of the <paramref name="algorithms"/> (contract names), or null when there are none to compute.</summary>
    public static WholeHash? For(IReadOnlyCollection<string> algorithms)
    {
        var sha256 = algorithms.Contains(ContractValues.Algorithms.Sha256);
        var sha1 = algorithms.Contains(ContractValues.Algorithms.Sha1);
        return sha256 || sha1 ? new WholeHash(sha256, sha1) : null;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Sha256?.Append(bytes);
        Sha1?.Append(bytes);
    }

    public WholeChecksums Digests() => new()
    {
        Sha256 = Sha256 is null ? null : Convert.ToHexStringLower(Sha256.Digest()),
        Sha1 = Sha1 is null ? null : Convert.ToHexStringLower(Sha1.Digest()),
    };

    /// <summary>
    /// <c>length of the SHA-256 state (0 without one) · length of the SHA-1 state · the states</c>; states saved
    /// when every re-chunked upload carried a SHA-256 read back the same.
    /// </summary>
    public byte[] Export()
    {
        var a = Sha256?.Export() ?? [];
        var b = Sha1?.Export() ?? [];
        var bytes = new byte[2 + a.Length + b.Length];
        bytes[0] = (byte)a.Length;
        bytes[1] = (byte)b.Length;
        a.CopyTo(bytes, 2);
        b.CopyTo(bytes, 2 + a.Length);
        return bytes;
    }

    public static bool TryImport(byte[] bytes, out WholeHash hash)
    {
        hash = new WholeHash(bytes.Length >= 2 && bytes[0] > 0, bytes.Length >= 2 && bytes[1] > 0);
        return bytes.Length >= 2 && bytes.Length == 2 + bytes[0] + bytes[1]
            && (hash.Sha256 is null || hash.Sha256.TryImport(bytes.AsSpan(2, bytes[0])))
            && (hash.Sha1 is null || hash.Sha1.TryImport(bytes.AsSpan(2 + bytes[0], bytes[1])));
    }
}
