using Microsoft.Extensions.Options;

namespace MockBox.Configuration;

/// <summary>
/// The folder holding every byte the mock stores: <c>sessions/&lt;id&gt;/</c> for parts,
/// <c>files/&lt;id&gt;/</c> for committed content. A folder the mock created itself (no
/// <c>MockBox:DataDirectory</c>) is deleted when the host disposes its services; a configured one is kept.
/// </summary>
internal sealed class DataDirectory : IDisposable
{
    private readonly bool _owned;
    private readonly ILogger<DataDirectory> _logger;

    public DataDirectory(IOptions<MockBoxOptions> options, ILogger<DataDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        var configured = options.Value.DataDirectory;
        _owned = string.IsNullOrWhiteSpace(configured);
        Root = _owned
            ? Path.Combine(Path.GetTempPath(), "mock-box-" + Guid.NewGuid().ToString("N"))
            : Path.GetFullPath(configured!);
        Directory.CreateDirectory(SessionsRoot);
        Directory.CreateDirectory(FilesRoot);
        Log.DataDirectoryReady(_logger, Root, _owned);
    }

    public string Root { get; }

    public string SessionsRoot => Path.Combine(Root, "sessions");

    public string FilesRoot => Path.Combine(Root, "files");

    public string SessionFolder(string sessionId) => Path.Combine(SessionsRoot, sessionId);

    public string FileFolder(string fileId) => Path.Combine(FilesRoot, fileId);

    /// <summary>Deletes a folder and everything in it; a folder already gone is not an error.</summary>
    public static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Empties the data folder (mock reset) and recreates its layout.</summary>
    public void Clear()
    {
        DeleteFolder(SessionsRoot);
        DeleteFolder(FilesRoot);
        Directory.CreateDirectory(SessionsRoot);
        Directory.CreateDirectory(FilesRoot);
    }

    public void Dispose()
    {
        if (!_owned)
        {
            return;
        }
        try
        {
            DeleteFolder(Root);
            Log.DataDirectoryDeleted(_logger, Root);
        }
        catch (IOException e)
        {
            Log.DataDirectoryNotDeleted(_logger, Root, e);
        }
        catch (UnauthorizedAccessException e)
        {
            Log.DataDirectoryNotDeleted(_logger, Root, e);
        }
    }
}
