using System.Formats.Tar;
using System.Text;
using MockSandbox.Paths;

namespace MockSandbox.Publishing;

/// <summary>
/// Unpacks a <c>directory_tar</c> archive into an empty staging folder, refusing anything that could
/// reach outside the target [ours]: absolute names, <c>..</c>, symbolic links whose target leaves the
/// target directory, hard links to anything but a regular file earlier in the same archive, device files,
/// FIFOs, and entries written through a link. The first refusal stops everything; the caller publishes
/// nothing and throws the staging folder away.
/// </summary>
/// <remarks>
/// A symbolic link is stored as the shortest relative path from its folder to its lexically resolved
/// target, which is inside the target directory by the check above; since no entry may be written through a
/// link, the folders a link climbs out of are real ones, and every link in a sandbox resolves inside the
/// sandbox. Hard links are materialised as copies, bounded by <c>max_upload_bytes</c> so a few kilobytes of
/// links cannot fill the disk.
/// </remarks>
internal static class TarExtractor
{
    public static async Task<PublishResult> ExtractAsync(string archivePath, string destination, SandboxPath target, long maxExtractedBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        var extraction = new Extraction(destination, target, maxExtractedBytes);
        await using var stream = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var reader = new TarReader(stream);
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                await extraction.AddAsync(entry, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or OverflowException)
        {
            throw new UnsafeArchiveException("The upload is not a readable tar archive: " + exception.Message);
        }
        return extraction.Result();
    }

    private enum Kind
    {
        Directory,
        File,
        Link,
    }

    private sealed class Extraction(string destination, SandboxPath target, long maxExtractedBytes)
    {
        private readonly Dictionary<string, Kind> _entries = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _files = new(StringComparer.Ordinal);
        private long _written;

        public PublishResult Result() => new(_files.Values.Sum(), _files.Count);

        public async Task AddAsync(TarEntry entry, CancellationToken cancellationToken)
        {
            var name = entry.Name;
            switch (entry.EntryType)
            {
                case TarEntryType.GlobalExtendedAttributes:
                    return; // PAX metadata for the entries that follow, not an entry of its own.
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                    throw new UnsafeArchiveException($"Entry '{name}' is a device file; archives may hold only files, directories and links.", name);
                case TarEntryType.Fifo:
                    throw new UnsafeArchiveException($"Entry '{name}' is a FIFO; archives may hold only files, directories and links.", name);
                case TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile
                    or TarEntryType.SymbolicLink or TarEntryType.HardLink:
                    break;
                default:
                    throw new UnsafeArchiveException($"Entry '{name}' has type {entry.EntryType}, which is not supported.", name);
            }

            var segments = ArchivePath(name) ?? throw new UnsafeArchiveException($"Entry '{name}' {ArchivePathProblem(name)}.", name);
            if (segments.Count == 0)
            {
                if (entry.EntryType == TarEntryType.Directory)
                {
                    return; // "./": the target directory itself.
                }
                throw new UnsafeArchiveException($"Entry '{name}' has no name.", name);
            }
            var key = string.Join('/', segments);
            CheckDestination(target.Append(segments), name);
            for (var depth = 1; depth < segments.Count; depth++)
            {
                var parent = string.Join('/', segments.Take(depth));
                switch (_entries.GetValueOrDefault(parent, Kind.Directory))
                {
                    case Kind.Link:
                        throw new UnsafeArchiveException($"Entry '{name}' would be written through the link '{parent}'.", name);
                    case Kind.File:
                        throw new UnsafeArchiveException($"Entry '{name}' lies under '{parent}', which is a file.", name);
                }
                _entries[parent] = Kind.Directory;
            }

            var host = Path.Combine([destination, .. segments]);
            Directory.CreateDirectory(Path.GetDirectoryName(host)!);
            var existing = _entries.TryGetValue(key, out var kind) ? kind : (Kind?)null;
            var isDirectory = entry.EntryType == TarEntryType.Directory;
            if (existing is { } earlier && (earlier == Kind.Directory) != isDirectory)
            {
                throw new UnsafeArchiveException($"Entry '{name}' is a {(isDirectory ? "directory" : "file")} but an earlier entry of that name is not.", name);
            }
            if (!isDirectory && existing is not null)
            {
                // A later entry of the same name wins, as tar itself extracts.
                HostEntries.Delete(host);
                _files.Remove(key);
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(host);
                    _entries[key] = Kind.Directory;
                    break;
                case TarEntryType.SymbolicLink:
                    File.CreateSymbolicLink(host, LinkText(entry.LinkName, segments, name));
                    _entries[key] = Kind.Link;
                    break;
                case TarEntryType.HardLink:
                    var linked = ArchivePath(entry.LinkName)
                        ?? throw new UnsafeArchiveException($"Hard link '{name}' points to '{entry.LinkName}', which {ArchivePathProblem(entry.LinkName)}.", name);
                    if (!_files.TryGetValue(string.Join('/', linked), out var linkedLength))
                    {
                        throw new UnsafeArchiveException($"Hard link '{name}' points to '{entry.LinkName}', which is not a regular file earlier in the archive.", name);
                    }
                    Charge(linkedLength, name);
                    File.Copy(Path.Combine([destination, .. linked]), host);
                    _entries[key] = Kind.File;
                    _files[key] = linkedLength;
                    break;
                default:
                    Charge(entry.Length, name);
                    await using (var file = new FileStream(host, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(file, 64 * 1024, cancellationToken);
                        }
                    }
                    _entries[key] = Kind.File;
                    _files[key] = entry.Length;
                    break;
            }
        }

        private void Charge(long bytes, string name)
        {
            _written += bytes;
            if (_written > maxExtractedBytes)
            {
                throw new UnsafeArchiveException($"Unpacking '{name}' would write more than max_upload_bytes ({maxExtractedBytes}).", name);
            }
        }

        /// <summary>
        /// The target of symbolic link <paramref name="linkName"/> at <paramref name="at"/> (archive-relative),
        /// resolved lexically: absolute link targets are sandbox paths, relative ones start from the link's
        /// folder. Inside the target, it is rewritten as the shortest relative path; outside, refused.
        /// </summary>
        private string LinkText(string linkName, IReadOnlyList<string> at, string name)
        {
            if (string.IsNullOrEmpty(linkName) || linkName.Contains('\0', StringComparison.Ordinal))
            {
                throw new UnsafeArchiveException($"Link '{name}' has an empty or invalid target.", name);
            }
            List<string> resolved = linkName.StartsWith('/') ? [] : [.. target.Segments, .. at.Take(at.Count - 1)];
            var floor = linkName.StartsWith('/') ? 0 : target.Segments.Count;
            foreach (var segment in linkName.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."))
            {
                if (segment != "..")
                {
                    resolved.Add(segment);
                }
                else if (resolved.Count > floor)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                else
                {
                    throw LinkOutside(name, linkName);
                }
            }
            if (resolved.Count < target.Segments.Count || !resolved.Take(target.Segments.Count).SequenceEqual(target.Segments, StringComparer.Ordinal))
            {
                throw LinkOutside(name, linkName);
            }
            CheckDestination(new SandboxPath(resolved, target.RootDepth), name);

            List<string> from = [.. target.Segments, .. at.Take(at.Count - 1)];
            var common = 0;
            while (common < from.Count && common < resolved.Count && from[common] == resolved[common])
            {
                common++;
            }
            var relative = Enumerable.Repeat("..", from.Count - common).Concat(resolved.Skip(common)).ToList();
            return relative.Count == 0 ? "." : string.Join('/', relative);
        }

        private UnsafeArchiveException LinkOutside(string name, string linkName) =>
            new($"Link '{name}' points to '{linkName}', outside the target {target.Value}.", name);

        private static void CheckDestination(SandboxPath path, string name)
        {
            if (path.IsReserved)
            {
                throw new UnsafeArchiveException($"Entry '{name}' would land under /workspace/.nullspace, which is reserved.", name);
            }
            if (path.Value.Length > SandboxPaths.MaxPathLength || path.Segments.Any(s => Encoding.UTF8.GetByteCount(s) > SandboxPaths.MaxSegmentBytes))
            {
                throw new UnsafeArchiveException($"Entry '{name}' makes a path longer than the sandbox allows.", name);
            }
        }

        /// <summary>
        /// An archive member name as segments, <c>.</c> and empty segments dropped; null when the name is
        /// absolute, climbs with <c>..</c> or holds NUL (see <see cref="ArchivePathProblem"/>).
        /// </summary>
        private static List<string>? ArchivePath(string name)
        {
            var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
            return ArchivePathProblem(name) is null ? segments : null;
        }

        private static string? ArchivePathProblem(string name) =>
            name.Contains('\0', StringComparison.Ordinal) ? "contains a NUL character"
            : name.StartsWith('/') ? "is an absolute path"
            : name.Split('/').Contains("..") ? "climbs with '..'"
            : null;
    }
}
