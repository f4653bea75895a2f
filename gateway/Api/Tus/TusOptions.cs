using Gateway.Auth;
using Gateway.Backends;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

/// <summary><c>Gateway:Tus</c>: the tus 1.0 front (docs/tus.md). Its staging directory is the re-chunker's (<c>Gateway:Rechunking</c>).</summary>
internal sealed class TusOptions
{
    public const string Section = "Gateway:Tus";

    /// <summary>How long a PATCH whose last part is stored waits for a backend that is still assembling (Box's 202).</summary>
    public TimeSpan CompletionWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys that moved to the core's re-chunker with the staged bytes: each stops start-up, naming its new place.</summary>
    public static IEnumerable<string> MovedKeys(IConfiguration configuration) =>
        new[] { "StagingDirectory", "SweepInterval" }
            .Where(key => configuration.GetSection($"{Section}:{key}").Value is not null)
            .Select(key => $"{Section}:{key} has moved to Gateway:Rechunking:{key} (the staged bytes belong to the core's re-chunker now); set it there.");
}

/// <summary><c>Gateway:Tenants:&lt;name&gt;:Tus</c>: where a tus upload goes when its metadata does not say.</summary>
internal sealed class TusDefaults
{
    /// <summary>The backend used when the metadata has no <c>backend</c>.</summary>
    public string? Backend { get; set; }

    /// <summary>
    /// The target's keys in the backend's own terms, for what the metadata leaves out (a sandbox's <c>sandbox_id</c>
    /// and the <c>directory</c> a file lands in by its <c>filename</c>; a Box backend's <c>folder_id</c>; …).
    /// </summary>
    public Dictionary<string, string> Target { get; set; } = new(StringComparer.OrdinalIgnoreCase);

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

/// <summary>Start-up checks: each tenant's tus defaults name a backend it may use, and target keys that backend's type takes.</summary>
internal sealed class TusTenantCatalogValidation(IOptions<TenantCatalogOptions> tenants, IOptions<BackendCatalogOptions> backends, BackendTypes types,
    IConfiguration configuration)
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
            foreach (var old in new[] { "SandboxId", "Directory", "FolderId" }.Where(o => configuration.GetSection($"{key}:{o}").Value is not null))
            {
                failures.Add($"{key}:{old} is the old place of a target key: name it in the backend's terms under {key}:Target (sandbox_id, directory, folder_id).");
            }
            if (d.Backend is null)
            {
                if (d.Target.Count > 0)
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
            if (!backends.Value.Backends.TryGetValue(d.Backend, out var backend) || !types.TryGet(backend.Type, out var type))
            {
                failures.Add($"{key}:Backend '{d.Backend}' is not a configured backend.");
                continue;
            }
            var template = d.Target.ToDictionary(t => t.Key.ToLowerInvariant(), t => t.Value, StringComparer.Ordinal);
            foreach (var (target, problem) in type.Targets.CheckTemplate(template, complete: false))
            {
                failures.Add($"{key}:Target:{target} {problem}");
            }
            if (d.Conflict is { } conflict && !UploadGateway.Contract.ContractValues.Conflicts.All.Contains(conflict))
            {
                failures.Add($"{key}:Conflict must be error, replace or merge.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
