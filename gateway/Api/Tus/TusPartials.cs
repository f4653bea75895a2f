using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Auth;
using Gateway.Domain;
using Gateway.Limits;
using Gateway.Rechunking;
using Gateway.Sessions;

namespace Gateway.Api.Tus;

/// <summary>
/// Concatenation (docs/tus.md): a partial upload (<c>Upload-Concat: partial</c>, what tus-js-client's
/// <c>parallelUploads</c> creates) is not yet a session — which file it belongs to is only said by the final
/// POST — so its bytes are staged whole in <c>partials/pt_…/data</c> of the staging directory, reserved
/// against the tenant's staging quota and expiring after the tenant's session TTL. The final POST
/// (<c>Upload-Concat: final;&lt;url&gt; &lt;url&gt;…</c>) creates the session and streams the partials into it
/// in order through the same writer as a PATCH; then they are deleted and their quota released.
/// </summary>
internal sealed partial class TusPartials(ChunkStaging staging, StagingQuota quota, TimeProvider time)
{
    private string Root => Path.Combine(staging.Root, "partials");

    public static bool IsPartialId(string id) => PartialId().IsMatch(id);

    public string Folder(string id) => Path.Combine(Root, id);

    public string DataPath(string id) => Path.Combine(Folder(id), "data");

    public IEnumerable<string> All() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => n is not null && IsPartialId(n)).Cast<string>() : [];

    public async Task<PartialUpload> CreateAsync(Tenant tenant, long length, string? metadata)
    {
        var id = "pt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow() + tenant.Limits.SessionTtl;
        // Under the tenant's cap on partials, and charged at least its metadata and an overhead: empty partials take disk too.
        await quota.ReservePartialAsync(tenant, id, length, metadata?.Length ?? 0, expires);
        var partial = new PartialUpload(id, tenant.Name, length, expires, metadata);
        ChunkStaging.CreateFolder(Folder(id));
        await File.WriteAllBytesAsync(DataPath(id), []);
        var info = Path.Combine(Folder(id), "info");
        await File.WriteAllTextAsync(info + ".tmp", JsonSerializer.Serialize(partial, TusJsonContext.Default.PartialUpload));
        File.Move(info + ".tmp", info, overwrite: true);
        return partial;
    }

    /// <summary>The caller's partial upload, or 404 (another tenant's too); 410 once expired.</summary>
    public async Task<PartialUpload> GetAsync(Tenant tenant, string id, CancellationToken cancellationToken)
    {
        var partial = await FindAsync(id, cancellationToken);
        if (partial is null || partial.Tenant != tenant.Name)
        {
            throw new GatewayException(ErrorCode.NotFound, $"No upload {id}.");
        }
        if (partial.ExpiresAt <= time.GetUtcNow())
        {
            throw new GatewayException(ErrorCode.Expired, "The partial upload expired; create a new one.");
        }
        return partial;
    }

    public async Task<PartialUpload?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var info = Path.Combine(Folder(id), "info");
        if (!IsPartialId(id) || !File.Exists(info))
        {
            return null;
        }
        return JsonSerializer.Deserialize(await File.ReadAllTextAsync(info, cancellationToken), TusJsonContext.Default.PartialUpload);
    }

    public long Offset(string id)
    {
        var data = new FileInfo(DataPath(id));
        return data.Exists ? data.Length : 0;
    }

    public async Task DeleteAsync(PartialUpload partial)
    {
        await quota.ReleasePartialAsync(partial.Tenant, partial.Id);
        try
        {
            Directory.Delete(Folder(partial.Id), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>
    /// The partials a final POST names (<c>final;&lt;url&gt; &lt;url&gt;</c>, absolute or path-only URLs), each
    /// the caller's, complete and unexpired; 400 naming the one that is not.
    /// </summary>
    public async Task<IReadOnlyList<PartialUpload>> ResolveFinalAsync(Tenant tenant, string header, CancellationToken cancellationToken)
    {
        var urls = header["final;".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length == 0 || urls.Length > 1000)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Concat: final; needs between 1 and 1000 partial upload URLs.");
        }
        var partials = new List<PartialUpload>();
        foreach (var url in urls)
        {
            var id = url.TrimEnd('/')[(url.TrimEnd('/').LastIndexOf('/') + 1)..];
            PartialUpload partial;
            try
            {
                partial = await GetAsync(tenant, id, cancellationToken);
            }
            catch (GatewayException e)
            {
                throw new GatewayException(ErrorCode.InvalidRequest, $"Upload-Concat names {Shorten(url)}: {e.Message}");
            }
            if (Offset(id) != partial.Length)
            {
                throw new GatewayException(ErrorCode.InvalidRequest, $"Partial upload {id} has {Offset(id)} of its {partial.Length} bytes; finish it first.");
            }
            if (partials.Any(p => p.Id == id))
            {
                throw new GatewayException(ErrorCode.InvalidRequest, $"Upload-Concat names {id} twice.");
            }
            partials.Add(partial);
        }
        return partials;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex("^pt_[0-9a-f]{32}$")]
    private static partial Regex PartialId();
}

/// <summary>A partial upload's record beside its bytes.</summary>
internal sealed record PartialUpload(string Id, string Tenant, long Length, DateTimeOffset ExpiresAt, string? Metadata)
{
    public string ExpiresHeader => ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The partials' bytes, one after another, as one body for the writer.</summary>
internal sealed class ConcatenatedStream(IReadOnlyList<string> paths) : ReadOnlyStream
{
    private int _index = -1;
    private FileStream? _current;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_current is null)
            {
                if (++_index >= paths.Count)
                {
                    return 0;
                }
                _current = new FileStream(paths[_index], FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            var read = await _current.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                return read;
            }
            await _current.DisposeAsync();
            _current = null;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
        }
        base.Dispose(disposing);
    }
}
