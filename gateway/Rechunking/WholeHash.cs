using Gateway.Domain;

namespace Gateway.Rechunking;

/// <summary>
/// The whole object's SHA-256, and SHA-1 when the backend needs it (Box), resumable across requests and
/// instances (OpenSSL's block function over an exportable state: Domain/ResumableHash.cs). What the backends
/// check at completion is all a re-chunked upload needs, so SHA-1 is left out where no backend asks for it.
/// </summary>
internal sealed class WholeHash(bool sha1)
{
    public ResumableSha256 Sha256 { get; } = new();

    public ResumableSha1? Sha1 { get; } = sha1 ? new() : null;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Sha256.Append(bytes);
        Sha1?.Append(bytes);
    }

    public WholeChecksums Digests() =>
        new() { Sha256 = Convert.ToHexStringLower(Sha256.Digest()), Sha1 = Sha1 is null ? null : Convert.ToHexStringLower(Sha1.Digest()) };

    public byte[] Export()
    {
        var a = Sha256.Export();
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
        hash = new WholeHash(bytes.Length >= 2 && bytes[1] > 0);
        return bytes.Length >= 2 && bytes.Length == 2 + bytes[0] + bytes[1]
            && hash.Sha256.TryImport(bytes.AsSpan(2, bytes[0]))
            && (hash.Sha1 is null || hash.Sha1.TryImport(bytes.AsSpan(2 + bytes[0], bytes[1])));
    }
}
