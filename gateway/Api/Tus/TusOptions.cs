using Gateway.Auth;
using Gateway.Backends;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

/// <summary><c>Gateway:Tus</c>: the tus 1.0 front (docs/tus.md).</summary>
internal sealed class TusOptions
{
    public const string Section = "Gateway:Tus";

    /// <summary>
    /// Where the bytes of an unfinished part (the tail), the hash state at part boundaries and each upload's
    /// metadata are kept. Every instance must see the same directory (a shared volume) for any instance to
    /// take any PATCH. Default: a folder under the system temp directory (one instance only).
    /// </summary>
    public string StagingDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "upload-gateway-tus");

    /// <summary>How often the staging directory is swept of uploads that have ended or expired.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a PATCH whose last part is stored waits for a backend that is still assembling (Box's 202).</summary>
    public TimeSpan CompletionWait { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary><c>Gateway:Tenants:&lt;name&gt;:Tus</c>: where a tus upload goes when its metadata does not say.</summary>
internal sealed class TusDefaults
{
    /// <summary>The backend used when the metadata has no <c>backend</c>.</summary>
    public string? Backend { get; set; }

    /// <summary>Sandbox backends: the sandbox when the metadata has no <c>sandbox_id</c>.</summary>
    public string? SandboxId { get; set; }

    /// <summary>Sandbox backends: the absolute directory a file lands in by its <c>filename</c> when the metadata has no <c>path</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Box backends: the folder when the metadata has no <c>folder_id</c>.</summary>
    public string? FolderId { get; set; }

    /// <summary>The conflict rule when the metadata has no <c>conflict</c>: <c>error</c> unless set.</summary>
    public string? Conflict { get; set; }
}

/// <summary>The tus defaults of every tenant, read from the <c>Gateway</c> section beside the tenants' other settings.</summary>
internal sealed class TusTenantCatalog
{
    public Dictionary<string, TusTenantEntry> Tenants { get; set; } = new(StringComparer.Ordinal);

    public TusDefaults? For(string tenant) => Tenants.TryGetValue(tenant, out var entry) ? entry.Tus : null;
}

internal sealed class TusTenantEntry
{
    public TusDefaults? Tus { get; set; }
}

/// <summary>Start-up checks: each tenant's tus defaults name a backend it may use, and a whole target for that backend's type.</summary>
internal sealed class TusTenantCatalogValidation(IOptions<TenantCatalogOptions> tenants, IOptions<BackendCatalogOptions> backends)
    : IValidateOptions<TusTenantCatalog>
{
    public ValidateOptionsResult Validate(string? name, TusTenantCatalog options)
    {
        var failures = new List<string>();
        foreach (var (tenant, entry) in options.Tenants)
        {
            if (entry.Tus is not { } d)
            {
                continue;
            }
            var key = $"Gateway:Tenants:{tenant}:Tus";
            if (d.Backend is null)
            {
                if (d.SandboxId is not null || d.Directory is not null || d.FolderId is not null)
                {
                    failures.Add($"{key}:Backend is required when a default target is set.");
                }
                continue;
            }
            if (!tenants.Value.Tenants.TryGetValue(tenant, out var t) || !t.Backends.Contains(d.Backend))
            {
                failures.Add($"{key}:Backend '{d.Backend}' is not one of the backends tenant {tenant} may use.");
                continue;
            }
            if (!backends.Value.Backends.TryGetValue(d.Backend, out var backend))
            {
                failures.Add($"{key}:Backend '{d.Backend}' is not a configured backend.");
                continue;
            }
            if (backend.Type == BackendRegistry.SandboxType)
            {
                if (d.Directory is { } dir && !dir.StartsWith('/'))
                {
                    failures.Add($"{key}:Directory must be an absolute path.");
                }
                if (d.FolderId is not null)
                {
                    failures.Add($"{key}:FolderId is for Box backends; '{d.Backend}' is a sandbox.");
                }
            }
            else if (d.SandboxId is not null || d.Directory is not null)
            {
                failures.Add($"{key}:SandboxId and Directory are for sandbox backends; '{d.Backend}' is {backend.Type}.");
            }
            if (d.Conflict is { } conflict && !UploadGateway.Contract.ContractValues.Conflicts.All.Contains(conflict))
            {
                failures.Add($"{key}:Conflict must be error, replace or merge.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
