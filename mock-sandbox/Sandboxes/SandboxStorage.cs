using Microsoft.Extensions.Options;
using MockSandbox.Configuration;

namespace MockSandbox.Sandboxes;

/// <summary>
/// The mock's data directory. Everything it writes lives below it: one folder per sandbox holding the
/// sandbox's filesystem and its staged uploads. A folder the mock made for itself is deleted when it stops.
/// </summary>
internal sealed class SandboxStorage : IDisposable
{
    private readonly bool _owned;
    private readonly ILogger<SandboxStorage> _logger;

    public SandboxStorage(IOptions<MockSandboxOptions> options, ILogger<SandboxStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        if (options.Value.DataDirectory is { } configured)
        {
            Root = Path.GetFullPath(configured);
            Directory.CreateDirectory(Root);
        }
        else
        {
            Root = Directory.CreateTempSubdirectory("mock-sandbox-").FullName;
            _owned = true;
        }
        Log.DataDirectoryReady(logger, Root, _owned);
    }

    public string Root { get; }

    public SandboxDirectories For(string sandboxId) => new(Path.Combine(Root, "sandboxes", sandboxId));

    public void Dispose()
    {
        if (_owned && Directory.Exists(Root))
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException exception)
            {
                Log.DataDirectoryNotDeleted(_logger, Root, exception);
            }
            catch (UnauthorizedAccessException exception)
            {
                Log.DataDirectoryNotDeleted(_logger, Root, exception);
            }
        }
    }
}

/// <summary>
/// One sandbox's folders: <c>fs/</c> is its filesystem (<c>fs/workspace</c> is <c>/workspace</c>), and
/// <c>staging/</c> holds uploads in progress, on the same filesystem so that publishing is a rename.
/// </summary>
internal sealed record SandboxDirectories(string Root)
{
    public string FileSystem => Path.Combine(Root, "fs");

    public string Staging => Path.Combine(Root, "staging");

    public string StagingFor(string uploadId) => Path.Combine(Staging, uploadId);

    /// <summary>Temporary files of the single-shot file endpoint.</summary>
    public string FileUploads => Path.Combine(Staging, "_files");

    /// <summary>
    /// Creates the sandbox's folders. Staged uploads from an earlier run are orphans (sessions live in
    /// memory), so they are cleared; the filesystem is kept.
    /// </summary>
    public void Prepare(IEnumerable<string> roots)
    {
        if (Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }
        Directory.CreateDirectory(Staging);
        foreach (var root in roots)
        {
            Directory.CreateDirectory(Path.Combine(FileSystem, root.TrimStart('/')));
        }
    }

    public void Delete()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
