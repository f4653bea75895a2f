using System.Globalization;
using System.Text;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Rechunking;

/// <summary>
/// What a re-chunked upload keeps besides its session: a folder per upload in the staging directory that every
/// instance shares, holding the tail (the bytes of the part not yet whole, <c>tail.&lt;n&gt;</c> starting at part
/// n's offset), the whole-object hash state after each part boundary (<c>hash.&lt;n&gt;</c>), the final digests,
/// and the small records a front keeps beside them (its own names). Every write is flushed to disk before the
/// offset that counts it is reported, and files named by part number make a half-done step harmless: the
/// store's part records say which files count.
/// </summary>
internal sealed class ChunkStaging(IOptions<RechunkingOptions> options)
{
    private const string TailPrefix = "tail.";
    private const string HashPrefix = "hash.";
    private const string DigestsFile = "digests";

    /// <summary>The staging directory; a front may keep a folder of its own in it under a name no upload id has.</summary>
    public string Root => options.Value.StagingDirectory;

    public string Folder(string id) => Path.Combine(Root, id);

    public IEnumerable<string> Uploads() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => n is not null && UploadIds.IsWellFormed(n)).Cast<string>() : [];

    /// <summary>A front's small record of an upload (kept until the upload's folder is swept), written atomically.</summary>
    public async Task SaveRecordAsync(string id, string name, string text)
    {
        CreateFolder(Folder(id));
        await WriteAtomicAsync(Path.Combine(Folder(id), name), Encoding.UTF8.GetBytes(text));
    }

    public async Task<string?> ReadRecordAsync(string id, string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(id), name);
        return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
    }

    public bool HasRecord(string id, string name) => File.Exists(Path.Combine(Folder(id), name));

    public string TailPath(string id, int part) => Path.Combine(Folder(id), TailPrefix + part.ToString(CultureInfo.InvariantCulture));

    public long TailLength(string id, int part)
    {
        var file = new FileInfo(TailPath(id, part));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>Opens the tail of part <paramref name="part"/> for appending, creating it.</summary>
    public FileStream OpenTail(string id, int part)
    {
        CreateFolder(Folder(id));
        return new FileStream(TailPath(id, part), PrivateFolder.NewFile(FileMode.Append, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous, 64 * 1024));
    }

    public FileStream ReadTail(string id, int part) =>
        new(TailPath(id, part), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public void DeleteTail(string id, int part)
    {
        // The folder exists once anything was staged; an upload whose parts all went straight through has none.
        if (Directory.Exists(Folder(id)))
        {
            File.Delete(TailPath(id, part));
        }
    }

    /// <summary>The whole-object hash state after part <paramref name="part"/>, or null when it was never saved.</summary>
    public async Task<WholeHash?> LoadHashAsync(string id, int part, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(id), HashPrefix + part.ToString(CultureInfo.InvariantCulture));
        if (!File.Exists(path))
        {
            return null;
        }
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        return WholeHash.TryImport(bytes, out var hash) ? hash : null;
    }

    public Task SaveHashAsync(string id, int part, WholeHash hash) =>
        WriteAtomicAsync(Path.Combine(Folder(id), HashPrefix + part.ToString(CultureInfo.InvariantCulture)), hash.Export());

    public Task SaveDigestsAsync(string id, WholeChecksums digests) =>
        WriteAtomicAsync(Path.Combine(Folder(id), DigestsFile), Encoding.ASCII.GetBytes($"{digests.Sha256}\n{digests.Sha1}"));

    public async Task<WholeChecksums?> LoadDigestsAsync(string id, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(id), DigestsFile);
        if (!File.Exists(path))
        {
            return null;
        }
        var lines = (await File.ReadAllTextAsync(path, cancellationToken)).Split('\n');
        return lines.Length == 2 ? new WholeChecksums { Sha256 = lines[0].Length == 0 ? null : lines[0], Sha1 = lines[1].Length == 0 ? null : lines[1] } : null;
    }

    /// <summary>
    /// What a completed upload no longer needs: its tails, hash states and digests. A front's records stay
    /// (tus answers HEAD from them) until the sweeper removes the folder.
    /// </summary>
    public void DeleteBytes(string id)
    {
        if (!Directory.Exists(Folder(id)))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(Folder(id)))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith(TailPrefix, StringComparison.Ordinal) || name.StartsWith(HashPrefix, StringComparison.Ordinal) || name.StartsWith(DigestsFile, StringComparison.Ordinal))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Everything of an upload that has ended; deleting twice is harmless.</summary>
    public void Delete(string id)
    {
        try
        {
            Directory.Delete(Folder(id), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Cuts a file back to <paramref name="length"/> bytes (a chunk that failed its checksum, a body too long), durably.</summary>
    public static void Truncate(string path, long length)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
        file.Flush(flushToDisk: true);
    }

    /// <summary>An upload's folder, 0700 (the staging folder itself was checked at start: Domain/PrivateFolder).</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, PrivateFolder.FolderMode);
        }
    }

    /// <summary>Writes a small file so that readers see the old one or the whole new one, and it is on disk before this returns.</summary>
    private static async Task WriteAtomicAsync(string path, byte[] bytes)
    {
        CreateFolder(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        await using (var file = new FileStream(temporary, PrivateFolder.NewFile(FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous)))
        {
            await file.WriteAsync(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
