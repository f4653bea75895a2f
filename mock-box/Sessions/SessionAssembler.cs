using System.Buffers;
using System.Security.Cryptography;

namespace MockBox.Sessions;

/// <summary>
/// Concatenates a session's parts, in offset order, into one file and computes the whole file's SHA-1
/// on the way (README.md operation 7: the commit's Digest is checked against the assembled file). Streams
/// through one pooled buffer.
/// </summary>
internal static class SessionAssembler
{
    public static async Task<byte[]> AssembleAsync(IReadOnlyList<StoredPart> parts, string path, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PartReceiver.BufferSize);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        try
        {
            await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                bufferSize: 0, FileOptions.Asynchronous);
            foreach (var part in parts.OrderBy(part => part.Offset))
            {
                await using var input = new FileStream(part.Path, FileMode.Open, FileAccess.Read, FileShare.Read,
                    bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                int read;
                while ((read = await input.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
                {
                    sha1.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            return sha1.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
