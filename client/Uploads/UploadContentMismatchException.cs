namespace UploadGateway.Client;

/// <summary>
/// The local file (or directory) is not the content of the upload: its length differs from the session's
/// <c>content_length</c>, a part the gateway already holds has other bytes (resuming with the wrong file, or
/// a directory that changed since), or the file changed while it was being uploaded.
/// </summary>
public sealed class UploadContentMismatchException(string uploadId, string message, int? partNumber = null)
    : Exception(message)
{
    public string UploadId { get; } = uploadId;

    /// <summary>The first part found to differ, when the lengths agree.</summary>
    public int? PartNumber { get; } = partNumber;
}
