using MockSandbox.Paths;
using MockSandbox.Sandboxes;
using MockSandbox.Uploads;

namespace MockSandbox.Publishing;

/// <summary>
/// Puts staged bytes in place under the upload's <c>conflict</c> policy [ours]: <c>error</c> refuses an
/// existing target; <c>replace</c> overwrites a file or swaps a whole directory; <c>merge</c> overwrites a
/// file or overlays a directory, keeping what the archive does not name. Publishing is atomic: the new
/// content is built complete in the session's staging folder (same filesystem) and then renamed into place,
/// so a publish that fails leaves the target exactly as it was.
/// </summary>
internal sealed class Publisher
{
    /// <summary>Moves an assembled file (or a single-shot body) to <paramref name="target"/>.</summary>
    public async Task<PublishResult> PublishFileAsync(Sandbox sandbox, SandboxPath target, ConflictPolicy conflict, string source)
    {
        var host = target.ToHostPath(sandbox.Directories);
        var length = new FileInfo(source).Length;
        await sandbox.PublishLock.WaitAsync();
        try
        {
            PrepareParents(sandbox, target);
            switch (HostEntries.KindOf(host))
            {
                case HostEntryKind.Directory:
                    throw new PublishConflictException("target_is_directory", $"{target} is a directory; a file cannot take its place.");
                case HostEntryKind.File or HostEntryKind.Link when conflict == ConflictPolicy.Error:
                    throw new PublishConflictException("target_exists", $"{target} already exists and the upload's conflict policy is error.");
            }
            // rename(2) replaces an existing file (or link) in one step: readers see the old bytes or the new.
            File.Move(source, host, overwrite: true);
            return new PublishResult(length, 1);
        }
        finally
        {
            sandbox.PublishLock.Release();
        }
    }

    /// <summary>Unpacks a tar archive and publishes it as the directory <see cref="UploadPlan.Target"/>.</summary>
    public async Task<PublishResult> PublishArchiveAsync(Sandbox sandbox, UploadPlan plan, UploadStaging staging, string archive)
    {
        // Unpacked before taking the lock: it is the slow part, and touches only the staging folder.
        var unpacked = staging.WorkDirectory("unpacked");
        var result = await TarExtractor.ExtractAsync(archive, unpacked, plan.Target, plan.Limits.MaxUploadBytes, CancellationToken.None);

        var host = plan.Target.ToHostPath(sandbox.Directories);
        await sandbox.PublishLock.WaitAsync();
        try
        {
            PrepareParents(sandbox, plan.Target);
            switch (HostEntries.KindOf(host))
            {
                case HostEntryKind.None:
                    Directory.Move(unpacked, host);
                    break;
                case HostEntryKind.File or HostEntryKind.Link:
                    throw new PublishConflictException("target_not_directory", $"{plan.Target} exists and is not a directory.");
                case HostEntryKind.Directory when plan.Conflict == ConflictPolicy.Error:
                    throw new PublishConflictException("target_exists", $"{plan.Target} already exists and the upload's conflict policy is error.");
                case HostEntryKind.Directory when plan.Conflict == ConflictPolicy.Replace:
                    Swap(host, unpacked, staging.WorkDirectory("previous"));
                    break;
                case HostEntryKind.Directory:
                    // Merge: a copy of what is there, overlaid with the archive, swapped in whole.
                    var merged = staging.WorkDirectory("merged");
                    HostEntries.CopyTree(host, merged);
                    Overlay(unpacked, merged);
                    Swap(host, merged, staging.WorkDirectory("previous"));
                    break;
            }
            return result;
        }
        finally
        {
            sandbox.PublishLock.Release();
        }
    }

    /// <summary>
    /// Creates the target's missing parent folders. A parent that exists and is not a directory is a
    /// conflict, reported before anything is created.
    /// </summary>
    private static void PrepareParents(Sandbox sandbox, SandboxPath target)
    {
        for (var depth = 1; depth < target.Segments.Count; depth++)
        {
            var parent = target.Segments.Take(depth).ToArray();
            var host = Path.Combine([sandbox.Directories.FileSystem, .. parent]);
            if (!Directory.Exists(host) && HostEntries.KindOf(host) != HostEntryKind.None)
            {
                throw new PublishConflictException("parent_not_directory", $"/{string.Join('/', parent)} exists and is not a directory.");
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target.ToHostPath(sandbox.Directories))!);
    }

    /// <summary>Replaces directory <paramref name="host"/> by <paramref name="replacement"/>, putting the old one back if the second rename fails.</summary>
    private static void Swap(string host, string replacement, string previous)
    {
        Directory.Move(host, previous);
        try
        {
            Directory.Move(replacement, host);
        }
        catch
        {
            Directory.Move(previous, host);
            throw;
        }
    }

    /// <summary>
    /// Moves everything in <paramref name="source"/> into <paramref name="destination"/>: directories meet
    /// directories recursively; anything else from the archive takes the place of what was there.
    /// </summary>
    private static void Overlay(string source, string destination)
    {
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(destination, entry.Name);
            var existing = HostEntries.KindOf(target);
            if (entry.LinkTarget is null && entry is DirectoryInfo)
            {
                if (existing == HostEntryKind.Directory)
                {
                    Overlay(entry.FullName, target);
                    continue;
                }
                HostEntries.Delete(target);
                Directory.Move(entry.FullName, target);
                continue;
            }
            HostEntries.Delete(target);
            if (entry.LinkTarget is not null)
            {
                HostEntries.MoveLink(entry.FullName, target);
            }
            else
            {
                File.Move(entry.FullName, target);
            }
        }
    }
}
