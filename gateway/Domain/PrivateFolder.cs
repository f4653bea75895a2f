using System.Runtime.InteropServices;

namespace Gateway.Domain;

/// <summary>
/// Folders and files only this service's user may read or change: the tus staging folder and the part spool
/// hold clients' bytes between requests, and a local user who could swap a staged tail would change what lands
/// at the backend without the whole-object hash noticing. Folders are made 0700 and files 0600; a folder that
/// already exists must belong to this user and be writable by nobody else (nor be a symbolic link), or the
/// gateway refuses to start.
/// </summary>
internal static class PrivateFolder
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The service's own data folder, the default parent of its staging and spool folders: the user's local data
    /// folder (<c>$XDG_DATA_HOME</c> or <c>~/.local/share</c>), not the temp folder every local user may write to.
    /// </summary>
    public static string DataRoot { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } data
            ? data
            : AppContext.BaseDirectory,
        "upload-gateway");

    /// <summary>Creates <paramref name="path"/> 0700, or checks the one that exists; throws with a sentence naming <paramref name="setting"/>.</summary>
    public static void Ensure(string path, string setting)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            Directory.CreateDirectory(path, FolderMode);
            return;
        }
        if (!TryOwnerAndMode(path, out var owner, out var mode))
        {
            throw new InvalidOperationException($"{setting} ({path}) cannot be inspected; make it a folder of this service's user.");
        }
        const int TypeMask = 0xF000, FolderType = 0x4000, GroupOrOtherWrite = 0x12;
        if ((mode & TypeMask) != FolderType)
        {
            throw new InvalidOperationException($"{setting} ({path}) is not a folder (a symbolic link or a file); point it at a folder of this service's user.");
        }
        if (owner != geteuid())
        {
            throw new InvalidOperationException($"{setting} ({path}) belongs to another user (uid {owner}); remove it or point {setting} at a folder of this service's user.");
        }
        if ((mode & GroupOrOtherWrite) != 0)
        {
            throw new InvalidOperationException($"{setting} ({path}) is writable by group or others (mode {Convert.ToString(mode & 0x1FF, 8)}); chmod 700 it.");
        }
    }

    /// <summary>Options for a new private file (0600 whatever the umask allows beyond that).</summary>
    public static FileStreamOptions NewFile(System.IO.FileMode mode, FileAccess access, FileShare share, FileOptions options, int bufferSize = 4096)
    {
        var stream = new FileStreamOptions { Mode = mode, Access = access, Share = share, Options = options, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows() && mode != System.IO.FileMode.Open && mode != System.IO.FileMode.Truncate)
        {
            stream.UnixCreateMode = FileMode;
        }
        return stream;
    }

    // statx(2), not stat(2): its buffer has one layout on every architecture (uid at byte 20, mode at byte 28).
    private static bool TryOwnerAndMode(string path, out uint owner, out int mode)
    {
        const int AtCurrentFolder = -100, NoFollow = 0x100;
        const uint WantTypeModeUid = 0x1 | 0x2 | 0x8;
        var buffer = new byte[256];
        var ok = statx(AtCurrentFolder, path, NoFollow, WantTypeModeUid, buffer) == 0;
        owner = BitConverter.ToUInt32(buffer, 20);
        mode = BitConverter.ToUInt16(buffer, 28);
        return ok;
    }

    // DllImport, not LibraryImport: the generated marshalling would need unsafe code in the whole project.
    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc")]
    private static extern uint geteuid();
}
