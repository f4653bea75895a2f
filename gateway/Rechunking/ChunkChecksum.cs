using System.Security.Cryptography;

namespace Gateway.Rechunking;

/// <summary>A digest a request sends for its own bytes (tus's <c>Upload-Checksum</c>): the chunk is staged whole and kept only when it matches.</summary>
internal sealed record ChunkChecksum(string Name, HashAlgorithmName Algorithm, byte[] Expected);
