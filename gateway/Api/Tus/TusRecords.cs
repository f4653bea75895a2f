using Gateway.Rechunking;

namespace Gateway.Api.Tus;

/// <summary>
/// What the tus front keeps of an upload beside the core's staged bytes, in the same folder (docs/tus.md): the
/// <c>Upload-Metadata</c> as the client sent it (its presence marks an upload created at <c>/tus/</c>) and a
/// final upload's <c>Upload-Concat</c>, both for HEAD.
/// </summary>
internal sealed class TusRecords(ChunkStaging staging)
{
    private const string MetadataRecord = "metadata";
    private const string ConcatRecord = "concat";

    public Task SaveMetadataAsync(string id, string? metadata) => staging.SaveRecordAsync(id, MetadataRecord, metadata ?? "");

    public async Task<string?> ReadMetadataAsync(string id, CancellationToken cancellationToken) =>
        await staging.ReadRecordAsync(id, MetadataRecord, cancellationToken) is { Length: > 0 } text ? text : null;

    /// <summary>Whether the upload was created at <c>/tus/</c>: only those have the record (and, on Box, the hash state from byte 0).</summary>
    public bool IsTusUpload(string id) => staging.HasRecord(id, MetadataRecord);

    /// <summary>A final upload's <c>Upload-Concat</c> as its POST sent it, for HEAD.</summary>
    public Task SaveConcatAsync(string id, string concat) => staging.SaveRecordAsync(id, ConcatRecord, concat);

    public Task<string?> ReadConcatAsync(string id, CancellationToken cancellationToken) => staging.ReadRecordAsync(id, ConcatRecord, cancellationToken);

    /// <summary>Everything of an upload that has ended (its staged bytes too); deleting twice is harmless.</summary>
    public void Delete(string id) => staging.Delete(id);

    public string Folder(string id) => staging.Folder(id);
}
