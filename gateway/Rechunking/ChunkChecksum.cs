using System.Security.Cryptography;
using Gateway.Domain;

namespace Gateway.Rechunking;

/// <summary>A digest a request sends for its own bytes (tus's <c>Upload-Checksum</c>): the chunk is held whole and kept only when it matches.</summary>
internal sealed record ChunkChecksum(string Name, HashAlgorithmName Algorithm, byte[] Expected)
{
    /// <summary>The digest as a part's claimed digests, for a body that verifies it as it is read.</summary>
    public PartDigests Claimed => Algorithm == HashAlgorithmName.SHA1 ? new(null, Expected) : new(Expected, null);
}
