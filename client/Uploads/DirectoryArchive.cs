using System.Formats.Tar;

namespace UploadGateway.Client.Uploads;

/// <summary>
/// A directory as a tar archive in a temporary file, for <c>directory_tar</c> uploads: written entry by entry
/// straight to disk (file contents are copied through a small buffer, never held in memory), deleted on dispose.
/// </summary>
/// <remarks>
/// The archive is reproducible: entries in ordinal order of their names, PAX headers carrying only the path,
/// mode and modification time (to the second), no owners, no access or change times. An unchanged directory
/// gives the same bytes again, which is what lets an interrupted upload of it resume; a changed one is caught
/// by the part digests.
/// </remarks>
internal sealed class DirectoryArchive : IAsyncDisposable
{
    private DirectoryArchive(string path, long length)
    {
        Path = path;
        Length = length;
    }

    public string Path { get; }

    public long Length { get; }

    public static async Task<DirectoryArchive> CreateAsync(string directory, string? tempDirectory, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"No directory {directory}.");
        }
        var path = System.IO.Path.Combine(tempDirectory ?? System.IO.Path.GetTempPath(), $"upload-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
                await WriteDirectoryAsync(tar, root, "", cancellationToken).ConfigureAwait(false);
            }
            return new DirectoryArchive(path, new FileInfo(path).Length);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static async Task WriteDirectoryAsync(TarWriter tar, DirectoryInfo directory, string prefix, CancellationToken cancellationToken)
    {
        foreach (var item in directory.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = prefix + item.Name;
            if (item.LinkTarget is { } target)
            {
                // Links are kept as links, not followed: the sandbox decides whether one may point where it points.
                await tar.WriteEntryAsync(Entry(TarEntryType.SymbolicLink, name, item, linkName: target), cancellationToken).ConfigureAwait(false);
            }
            else if (item is DirectoryInfo child)
            {
                await tar.WriteEntryAsync(Entry(TarEntryType.Directory, name + "/", item), cancellationToken).ConfigureAwait(false);
                await WriteDirectoryAsync(tar, child, name + "/", cancellationToken).ConfigureAwait(false);
            }
            else if (item is FileInfo file)
            {
                var entry = Entry(TarEntryType.RegularFile, name, item);
                // .NET shows FIFOs, sockets and devices as empty files, and opening a FIFO blocks until someone
                // writes to it: an empty file goes in without being opened.
                await using var content = file.Length == 0 ? null
                    : new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
                entry.DataStream = content;
                await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, FileSystemInfo item, string? linkName = null)
    {
        var entry = new PaxTarEntry(type, name)
        {
            ModificationTime = DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(item.LastWriteTimeUtc).ToUnixTimeSeconds()),
        };
        if (!OperatingSystem.IsWindows())
        {
            entry.Mode = item.UnixFileMode;
        }
        if (linkName is not null)
        {
            entry.LinkName = linkName;
        }
        return entry;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // A temp file left behind is harmless; the upload's own outcome is what matters.
        }
        return ValueTask.CompletedTask;
    }
}
