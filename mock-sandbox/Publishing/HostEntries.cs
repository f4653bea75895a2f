namespace MockSandbox.Publishing;

/// <summary>What sits at a host path, looked at without following a symbolic link at the path itself.</summary>
internal enum HostEntryKind
{
    None,
    File,
    Directory,
    Link,
}

internal static class HostEntries
{
    public static HostEntryKind KindOf(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return HostEntryKind.Link;
        }
        if (Directory.Exists(path))
        {
            return HostEntryKind.Directory;
        }
        return info.Exists ? HostEntryKind.File : HostEntryKind.None;
    }

    /// <summary>Removes whatever is at <paramref name="path"/>; a link is removed, never what it points to.</summary>
    public static void Delete(string path)
    {
        switch (KindOf(path))
        {
            case HostEntryKind.Directory:
                Directory.Delete(path, recursive: true);
                break;
            case HostEntryKind.File or HostEntryKind.Link:
                File.Delete(path);
                break;
        }
    }

    /// <summary>Moves a symbolic link by recreating it: a link whose target does not exist cannot be opened to move.</summary>
    public static void MoveLink(string source, string destination)
    {
        File.CreateSymbolicLink(destination, new FileInfo(source).LinkTarget!);
        File.Delete(source);
    }

    /// <summary>Copies a tree as it is: directories recreated, files copied, links recreated with the same text.</summary>
    public static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(destination, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo)
            {
                CopyTree(entry.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }
}
