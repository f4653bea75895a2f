namespace Gateway.Forwarding;

/// <summary>
/// A part written to a temporary file first. Box needs a part's SHA-1 in a header before its body
/// (docs/architecture.md, the path of one part); when the client did not send one, the gateway spools the part to disk (never
/// to memory) to compute it, then forwards the file. The file deletes itself when disposed.
/// </summary>
internal sealed class PartSpool : IAsyncDisposable
{
    private readonly FileStream _file;

    private PartSpool(FileStream file) => _file = file;

    /// <summary>The spooled part, positioned at its start.</summary>
    public Stream Content => _file;

    public static async Task<PartSpool> FillAsync(string directory, PartBodyStream body, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Combine(directory, Guid.NewGuid().ToString("N") + ".part"), Domain.PrivateFolder.NewFile(
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose | FileOptions.Asynchronous | FileOptions.SequentialScan, bufferSize: 0));
        try
        {
            await body.CopyToAsync(file, 256 * 1024, cancellationToken);
            file.Position = 0;
            return new PartSpool(file);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
