using System.Text.RegularExpressions;
using Gateway.Backends;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Box;

/// <summary>
/// <c>Gateway:Tenants:&lt;name&gt;:BoxFront</c>: where the Box front sends a tenant's uploads. Read from the
/// tenants' own section (the binder ignores their other keys), so a tenant's Box routes sit beside its keys
/// and limits; the core knows nothing of them. The backends' types and the tenants' backend lists are read
/// from the same section here too, so that checking the routes never waits on (or repeats) the checks of
/// those sections.
/// </summary>
internal sealed class BoxFrontCatalogOptions
{
    public const string Section = "Gateway";

    public Dictionary<string, BoxFrontTenant> Tenants { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, BoxFrontBackend> Backends { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class BoxFrontTenant
{
    public List<string> Backends { get; set; } = [];

    public BoxFrontOptions BoxFront { get; set; } = new();
}

internal sealed class BoxFrontBackend
{
    public string Type { get; set; } = "";
}

internal sealed class BoxFrontOptions
{
    /// <summary>The Box backend for folders not in <see cref="Folders"/>; empty: the tenant's only backend of type box.</summary>
    public string Backend { get; set; } = "";

    /// <summary>Box folder id → where uploads into it go instead.</summary>
    public Dictionary<string, BoxFolderRoute> Folders { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One routed folder: a backend, and where in it the file lands (its name is the one the client gave).</summary>
internal sealed class BoxFolderRoute
{
    public string Backend { get; set; } = "";

    /// <summary>Sandbox backends: the sandbox.</summary>
    public string? SandboxId { get; set; }

    /// <summary>Sandbox backends: the absolute directory the file is written into.</summary>
    public string? Directory { get; set; }

    /// <summary>Sandbox backends: the POSIX user that owns the file (optional).</summary>
    public string? User { get; set; }

    /// <summary>Box backends: the folder at that backend (default: the same folder id).</summary>
    public string? FolderId { get; set; }
}

/// <summary>Start-up checks of every tenant's <c>BoxFront</c>, each failure naming its key.</summary>
internal sealed partial class BoxFrontOptionsValidation : IValidateOptions<BoxFrontCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, BoxFrontCatalogOptions options)
    {
        var failures = new List<string>();
        foreach (var (tenant, settings) in options.Tenants)
        {
            var at = $"Gateway:Tenants:{tenant}:BoxFront";
            var allowed = settings.Backends;
            var front = settings.BoxFront;
            if (front.Backend.Length > 0 && !(options.Backends.TryGetValue(front.Backend, out var box) && box.Type == BackendRegistry.BoxType && allowed.Contains(front.Backend, StringComparer.Ordinal)))
            {
                failures.Add($"{at}:Backend is '{front.Backend}', which is not a backend of type box that the tenant may use (Gateway:Tenants:{tenant}:Backends).");
            }
            foreach (var (folder, route) in front.Folders)
            {
                var key = $"{at}:Folders:{folder}";
                if (!BoxId().IsMatch(folder))
                {
                    failures.Add($"{key}: a Box folder id is a decimal number.");
                }
                if (!options.Backends.TryGetValue(route.Backend, out var backend) || !allowed.Contains(route.Backend, StringComparer.Ordinal))
                {
                    failures.Add($"{key}:Backend is '{route.Backend}', which is not a configured backend the tenant may use.");
                    continue;
                }
                if (backend.Type == BackendRegistry.SandboxType)
                {
                    if (route.SandboxId is null || !SandboxId().IsMatch(route.SandboxId))
                    {
                        failures.Add($"{key}:SandboxId is required for a sandbox backend and looks like sb_a1b2c3d4.");
                    }
                    if (route.Directory is not { Length: > 0 } directory || directory[0] != '/' || directory.Split('/').Any(s => s is "." or ".."))
                    {
                        failures.Add($"{key}:Directory is required for a sandbox backend: an absolute path without . or .. segments.");
                    }
                    if (route.FolderId is not null)
                    {
                        failures.Add($"{key}:FolderId applies to Box backends only.");
                    }
                }
                else
                {
                    if (route.SandboxId is not null || route.Directory is not null || route.User is not null)
                    {
                        failures.Add($"{key}: SandboxId, Directory and User apply to sandbox backends only.");
                    }
                    if (route.FolderId is not null && !BoxId().IsMatch(route.FolderId))
                    {
                        failures.Add($"{key}:FolderId: a Box folder id is a decimal number.");
                    }
                }
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9]{1,20}$")]
    internal static partial Regex BoxId();

    [GeneratedRegex("^sb_[A-Za-z0-9]{1,64}$")]
    private static partial Regex SandboxId();
}
