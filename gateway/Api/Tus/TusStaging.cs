using System.Globalization;
using System.Text;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

/// <summary>
/// What a tus upload keeps besides its session (docs/tus.md): a folder per upload in the staging directory
/// that every instance shares, holding the metadata as the client sent it, the tail (the bytes of the part
/// not yet whole, <c>tail.&lt;n&gt;</c> starting at part n's offset), the whole-object hash state after each
/// part boundary (<c>hash.&lt;n&gt;</c>) and the final digests. Every write is flushed to disk before the
/// offset that counts it is reported, and files named by part number make a half-done step harmless: the
/// store's part records say which files count.
/// </summary>
internal sealed class TusStaging(IOptions<TusOptions> options)
{
    private string Root => options.Value.StagingDirectory;

    public string Folder(string id) => Path.Combine(Root, id);

    public IEnumerable<string> Uploads() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => n is not null && UploadIds.IsWellFormed(n)).Cast<string>() : [];

    public async Task SaveMetadataAsync(string id, string? metadata)
    {
        CreateFolder(Folder(id));
        await WriteAtomicAsync(Path.Combine(Folder(id), "metadata"), Encoding.UTF8.GetBytes(metadata ?? ""));
    }

    public async Task<string?> ReadMetadataAsync(string id, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(id), "metadata");
        return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) is { Length: > 0 } text ? text : null : null;
    }

    /// <summary>Whether the upload was created at <c>/tus/</c>: only those have the record (and the hash state from byte 0).</summary>
    public bool IsTusUpload(string id) => File.Exists(Path.Combine(Folder(id), "metadata"));

    /// <summary>A final upload's <c>Upload-Concat</c> as its POST sent it, for HEAD.</summary>
    public Task SaveConcatAsync(string id, string concat) => WriteAtomicAsync(Path.Combine(Folder(id), "concat"), Encoding.UTF8.GetBytes(concat));

    public async Task<string?> ReadConcatAsync(string id, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(id), "concat");
        return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
    }

    public string TailPath(string id, int part) => Path.Combine(Folder(id), "tail." + part.ToString(CultureInfo.InvariantCulture));

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

    /// <summary>Cuts a tail back to <paramref name="length"/> bytes (a chunk that failed its checksum), durably.</summary>
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

    public void DeleteTail(string id, int part) => File.Delete(TailPath(id, part));

    /// <summary>The whole-object hash state after part <paramref name="part"/>, or null when it was never saved.</summary>
    /// <param name="sha1">Whether a new hash computes SHA-1 too (Box needs it at complete); a saved one says for itself.</param>
    public async Task<WholeHash?> LoadHashAsync(string id, int part, bool sha1, CancellationToken cancellationToken)
    {
        if (part == 0)
        {
            return new WholeHash(sha1);
        }
        var path = Path.Combine(Folder(id), "hash." + part.ToString(CultureInfo.InvariantCulture));
        if (!File.Exists(path))
        {
            return null;
        }
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        return WholeHash.TryImport(bytes, out var hash) ? hash : null;
    }

    public Task SaveHashAsync(string id, int part, WholeHash hash) =>
        WriteAtomicAsync(Path.Combine(Folder(id), "hash." + part.ToString(CultureInfo.InvariantCulture)), hash.Export());

    public Task SaveDigestsAsync(string id, WholeChecksums digests) =>
        WriteAtomicAsync(Path.Combine(Folder(id), "digests"), Encoding.ASCII.GetBytes($"{digests.Sha256}\n{digests.Sha1}"));

    public async Task<WholeChecksums?> LoadDigestsAsync(string id, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(id), "digests");
        if (!File.Exists(path))
        {
            return null;
        }
        var lines = (await File.ReadAllTextAsync(path, cancellationToken)).Split('\n');
        return lines.Length == 2 ? new WholeChecksums { Sha256 = lines[0], Sha1 = lines[1].Length == 0 ? null : lines[1] } : null;
    }

    /// <summary>
    /// What a completed upload no longer needs: its tails, hash states and digests. The small records
    /// (<c>metadata</c>, <c>concat</c>) stay for HEAD until the sweeper removes the folder.
    /// </summary>
    public void DeleteBytes(string id)
    {
        if (!Directory.Exists(Folder(id)))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(Folder(id)))
        {
            if (Path.GetFileName(file) is not ("metadata" or "concat"))
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
    private async Task WriteAtomicAsync(string path, byte[] bytes)
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

/// <summary>
/// The whole object's SHA-256, and SHA-1 when the backend needs it (Box), resumable across requests and
/// instances. The managed hashes cost a core's time per byte (docs/tus.md), so SHA-1 is left out where no
/// backend asks for it.
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
