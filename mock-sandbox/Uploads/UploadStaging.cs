using System.Globalization;
using System.Security.Cryptography;

namespace MockSandbox.Uploads;

/// <summary>
/// One session's staging folder, inside its sandbox's data area: accepted parts (<c>parts/&lt;n&gt;</c>),
/// bodies still arriving (<c>incoming/</c>), the assembled object, and the work folders of publishing.
/// </summary>
internal sealed class UploadStaging(string directory)
{
    private const int CopyBufferSize = 1024 * 1024;

    public string Directory { get; } = directory;

    public string AssembledPath => Path.Combine(Directory, "assembled");

    private string PartsDirectory => Path.Combine(Directory, "parts");

    private string IncomingDirectory => Path.Combine(Directory, "incoming");

    public void Create()
    {
        System.IO.Directory.CreateDirectory(PartsDirectory);
        System.IO.Directory.CreateDirectory(IncomingDirectory);
    }

    public string PartPath(uint part) => Path.Combine(PartsDirectory, part.ToString(CultureInfo.InvariantCulture));

    /// <summary>A fresh file name for a body being received; moved to <see cref="PartPath"/> once accepted.</summary>
    public string NewIncomingPath() => Path.Combine(IncomingDirectory, Guid.NewGuid().ToString("N"));

    /// <summary>A folder for one step of publishing, emptied first.</summary>
    public string WorkDirectory(string name)
    {
        var path = Path.Combine(Directory, name);
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        return path;
    }

    /// <summary>
    /// Concatenates the parts in order into <see cref="AssembledPath"/>, hashing on the way, and returns
    /// the lowercase-hex SHA-256. The parts are deleted only once the whole object is written.
    /// </summary>
    public async Task<string> AssembleAsync(uint partCount, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[CopyBufferSize];
        await using (var output = new FileStream(AssembledPath, FileMode.Create, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            for (uint part = 0; part < partCount; part++)
            {
                await using var input = new FileStream(PartPath(part), FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        System.IO.Directory.Delete(PartsDirectory, recursive: true);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
