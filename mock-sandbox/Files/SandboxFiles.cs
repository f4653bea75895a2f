using System.Text.Json.Nodes;
using MockSandbox.Errors;
using MockSandbox.Http;
using MockSandbox.Paths;
using MockSandbox.Publishing;
using MockSandbox.Sandboxes;
using MockSandbox.Uploads;

namespace MockSandbox.Files;

/// <summary>
/// Single-shot file access [doc]: write a whole file from one raw body, read one back. The same path
/// rules as uploads; a write replaces what is there [ours], atomically, like a <c>replace</c> upload.
/// </summary>
internal sealed class SandboxFiles
{
    private readonly SandboxRegistry _sandboxes;
    private readonly Publisher _publisher;

    public SandboxFiles(SandboxRegistry sandboxes, Publisher publisher)
    {
        ArgumentNullException.ThrowIfNull(sandboxes);
        ArgumentNullException.ThrowIfNull(publisher);
        _sandboxes = sandboxes;
        _publisher = publisher;
    }

    public async Task WriteAsync(string sandboxId, string? path, string? user, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        var sandbox = _sandboxes.GetReady(sandboxId);
        var target = SandboxPaths.Resolve(path, user, "path");
        if (target.IsRoot)
        {
            throw SandboxError.InvalidField("path", "is_directory", $"path {target} is a root directory; a file needs a name under it.").AsException();
        }
        // A single-shot body is bounded like an upload's whole object [ours].
        var limit = sandbox.Settings.MaxUploadBytes;
        if (contentLength > limit)
        {
            throw TooLarge(contentLength.Value, limit).AsException();
        }
        Directory.CreateDirectory(sandbox.Directories.FileUploads);
        var incoming = Path.Combine(sandbox.Directories.FileUploads, Guid.NewGuid().ToString("N"));
        try
        {
            ReceivedBody received;
            await using (var file = BodyReceiver.CreateFile(incoming, contentLength ?? 0))
            {
                received = await BodyReceiver.ReceiveAsync(body, file, limit, limit, sha256: false, cancellationToken);
            }
            if (received.Length > limit)
            {
                throw TooLarge(received.Length, limit).AsException();
            }
            await _publisher.PublishFileAsync(sandbox, target, ConflictPolicy.Replace, incoming);
        }
        catch (PublishConflictException conflict)
        {
            throw SandboxError.Conflict(conflict.Message, new JsonObject { ["reason"] = conflict.Reason, ["path"] = target.Value }).AsException();
        }
        finally
        {
            if (File.Exists(incoming))
            {
                File.Delete(incoming);
            }
        }
    }

    /// <summary>The file opened for reading; it stays readable even if it is replaced while being sent.</summary>
    public Stream OpenRead(string sandboxId, string? path, string? user)
    {
        var sandbox = _sandboxes.GetReady(sandboxId);
        var target = SandboxPaths.Resolve(path, user, "path");
        var host = target.ToHostPath(sandbox.Directories);
        if (Directory.Exists(host))
        {
            throw SandboxError.NotFound($"{target} is a directory, not a file.").AsException();
        }
        try
        {
            return new FileStream(host, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SandboxError.NotFound($"{target} does not exist.").AsException();
        }
    }

    private static SandboxError TooLarge(long length, long limit) =>
        SandboxError.FileUploadLimitExceeded($"A file of {length} bytes is over max_upload_bytes ({limit}).", limit);
}
