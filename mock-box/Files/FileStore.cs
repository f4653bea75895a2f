using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Json;

namespace MockBox.Files;

internal readonly record struct StoreOutcome<T>(T? Value, BoxError? Error)
    where T : class
{
    public static implicit operator StoreOutcome<T>(T value) => new(value, null);

    public static implicit operator StoreOutcome<T>(BoxError error) => new(null, error);
}

/// <summary>
/// The folder tree and the files committed into it. Metadata lives in memory; content lives on disk under
/// <c>files/&lt;id&gt;/&lt;version id&gt;.bin</c>. One lock makes "is the name free?" and "take the name"
/// one step, so two sessions committing the same name cannot both win.
/// </summary>
internal sealed class FileStore
{
    /// <summary>Box's root folder, "All Files", always exists.</summary>
    public const string RootFolderId = "0";

    public const string RootFolderName = "All Files";

    // Box ids are opaque numeric strings; starting high gives them Box's usual width.
    private const long FirstId = 1_000_000_000_001;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, FolderRecord> _folders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileRecord> _files = new(StringComparer.Ordinal);
    private readonly DataDirectory _data;
    private readonly TimeProvider _time;
    private long _nextId = FirstId;

    public FileStore(DataDirectory data, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(time);
        _data = data;
        _time = time;
        AddRoot();
    }

    public FolderRecord? FindFolder(string id)
    {
        lock (_lock)
        {
            return _folders.GetValueOrDefault(id);
        }
    }

    public FileRecord? FindFile(string id)
    {
        lock (_lock)
        {
            return _files.GetValueOrDefault(id);
        }
    }

    /// <summary>The item already named <paramref name="name"/> in the folder, as Box describes it in <c>context_info.conflicts</c>.</summary>
    public JsonObject? FindConflict(string folderId, string name, string? exceptFileId = null)
    {
        lock (_lock)
        {
            return ConflictLocked(folderId, name, exceptFileId);
        }
    }

    /// <summary>Creates a file from an assembled content file, which is moved (not copied) into the store.</summary>
    public StoreOutcome<FileRecord> CreateFile(string folderId, string name, string assembledPath, long size, string sha1Hex, BoxUser user)
    {
        lock (_lock)
        {
            if (!_folders.ContainsKey(folderId))
            {
                return BoxErrors.FolderNotFound();
            }
            if (ConflictLocked(folderId, name, null) is { } conflict)
            {
                return BoxErrors.ItemNameInUse(conflict);
            }
            var now = _time.GetUtcNow();
            var id = NextIdLocked();
            var versionId = NextIdLocked();
            var file = new FileRecord(id, folderId, name, size, sha1Hex, versionId, VersionNumber: 1,
                MoveContent(assembledPath, id, versionId), user, user, now, now);
            _files.Add(id, file);
            return file;
        }
    }

    /// <summary>
    /// A new version (README.md operation 2): new content, a new <c>file_version</c> and <c>etag</c>, and
    /// optionally a new name, which must be free in the file's folder.
    /// </summary>
    public StoreOutcome<FileRecord> ReplaceContent(string fileId, string? newName, string assembledPath, long size, string sha1Hex, BoxUser user)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(fileId, out var current))
            {
                return BoxErrors.NotFound("Could not find the specified resource");
            }
            if (newName is not null && ConflictLocked(current.FolderId, newName, fileId) is { } conflict)
            {
                return BoxErrors.ItemNameInUse(conflict);
            }
            var versionId = NextIdLocked();
            var next = current with
            {
                Name = newName ?? current.Name,
                Size = size,
                Sha1Hex = sha1Hex,
                VersionId = versionId,
                VersionNumber = current.VersionNumber + 1,
                ContentPath = MoveContent(assembledPath, fileId, versionId),
                ModifiedBy = user,
                ModifiedAt = _time.GetUtcNow(),
            };
            _files[fileId] = next;
            // A download already streaming the old version keeps its open handle (FileShare.Delete).
            DataDirectory.DeleteFile(current.ContentPath);
            return next;
        }
    }

    public StoreOutcome<FolderRecord> CreateFolder(string parentId, string name)
    {
        lock (_lock)
        {
            if (!_folders.ContainsKey(parentId))
            {
                return BoxErrors.FolderNotFound();
            }
            if (ConflictLocked(parentId, name, null) is { } conflict)
            {
                return BoxErrors.ItemNameInUse(conflict);
            }
            var folder = new FolderRecord(NextIdLocked(), name, parentId, _time.GetUtcNow());
            _folders.Add(folder.Id, folder);
            return folder;
        }
    }

    /// <summary>The current version's record and an open stream on its bytes, or null for an unknown file.</summary>
    public (FileRecord File, Stream Content)? OpenContent(string fileId)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(fileId, out var file))
            {
                return null;
            }
            // Opened under the lock, so a new version committed meanwhile cannot delete the file first.
            var stream = new FileStream(file.ContentPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return (file, stream);
        }
    }

    public FileResource ToResource(FileRecord file)
    {
        lock (_lock)
        {
            var path = PathLocked(file.FolderId);
            return new FileResource(
                Id: file.Id,
                Type: "file",
                Etag: file.Etag,
                SequenceId: file.Etag,
                Name: file.Name,
                Sha1: file.Sha1Hex,
                FileVersion: new FileVersionResource("file_version", file.VersionId, file.Sha1Hex),
                Description: "",
                Size: file.Size,
                PathCollection: new PathCollectionResource(path.Count, path),
                CreatedAt: BoxTime.Format(file.CreatedAt),
                ModifiedAt: BoxTime.Format(file.ModifiedAt),
                TrashedAt: null,
                PurgedAt: null,
                ContentCreatedAt: BoxTime.Format(file.CreatedAt),
                ContentModifiedAt: BoxTime.Format(file.ModifiedAt),
                CreatedBy: ToResource(file.CreatedBy),
                ModifiedBy: ToResource(file.ModifiedBy),
                OwnedBy: ToResource(file.CreatedBy),
                Parent: path[^1],
                ItemStatus: "active",
                VersionNumber: file.VersionNumber.ToString(CultureInfo.InvariantCulture));
        }
    }

    public FolderResource ToResource(FolderRecord folder) =>
        folder.Id == RootFolderId
            ? new FolderResource("folder", folder.Id, null, null, folder.Name)
            : new FolderResource("folder", folder.Id, "0", "0", folder.Name);

    /// <summary>Forgets every file and folder but the root. The caller empties the data folder.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _files.Clear();
            _folders.Clear();
            _nextId = FirstId;
            AddRoot();
        }
    }

    private static UserResource ToResource(BoxUser user) => new("user", user.Id, user.Name, user.Login);

    private void AddRoot() =>
        _folders.Add(RootFolderId, new FolderRecord(RootFolderId, RootFolderName, null, _time.GetUtcNow()));

    private string NextIdLocked() => (_nextId++).ToString(CultureInfo.InvariantCulture);

    private string MoveContent(string assembledPath, string fileId, string versionId)
    {
        var folder = _data.FileFolder(fileId);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, versionId + ".bin");
        File.Move(assembledPath, path);
        return path;
    }

    private JsonObject? ConflictLocked(string folderId, string name, string? exceptFileId)
    {
        foreach (var file in _files.Values)
        {
            if (file.FolderId == folderId && file.Id != exceptFileId && FileNames.Comparer.Equals(file.Name, name))
            {
                var conflict = new FileConflictResource("file", file.Id,
                    new FileVersionResource("file_version", file.VersionId, file.Sha1Hex),
                    file.Etag, file.Etag, file.Sha1Hex, file.Name, file.Size);
                return JsonSerializer.SerializeToNode(conflict, BoxJsonContext.Default.FileConflictResource)!.AsObject();
            }
        }
        foreach (var folder in _folders.Values)
        {
            if (folder.ParentId == folderId && FileNames.Comparer.Equals(folder.Name, name))
            {
                return JsonSerializer.SerializeToNode(ToResource(folder), BoxJsonContext.Default.FolderResource)!.AsObject();
            }
        }
        return null;
    }

    // Root first, the file's own folder last (Box's path_collection order; parent is the last entry).
    private List<FolderResource> PathLocked(string folderId)
    {
        var path = new List<FolderResource>();
        for (var folder = _folders.GetValueOrDefault(folderId); folder is not null; folder = folder.ParentId is null ? null : _folders.GetValueOrDefault(folder.ParentId))
        {
            path.Insert(0, ToResource(folder));
        }
        return path;
    }
}
