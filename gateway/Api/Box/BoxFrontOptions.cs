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
    /// <summary>The backend for folders not in <see cref="Folders"/> and for new versions; empty: the tenant's first backend whose targets take Box folder ids.</summary>
    public string Backend { get; set; } = "";

    /// <summary>Box folder id → where uploads into it go instead.</summary>
    public Dictionary<string, BoxFolderRoute> Folders { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One routed folder: a backend, and where in it the file lands (its name is the one the client gave).</summary>
internal sealed class BoxFolderRoute
{
    public string Backend { get; set; } = "";

    /// <summary>
    /// The target's keys in the backend's own terms, laid over the Box wire's (<c>folder_id</c>: the folder the
    /// client named, <c>filename</c>): a sandbox's <c>sandbox_id</c>, <c>directory</c> and <c>user</c>; another Box
    /// backend's <c>folder_id</c>; ….
    /// </summary>
    public Dictionary<string, string> Target { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Start-up checks of every tenant's <c>BoxFront</c>, each failure naming its key.</summary>
internal sealed partial class BoxFrontOptionsValidation(BackendTypes types, IConfiguration configuration) : IValidateOptions<BoxFrontCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, BoxFrontCatalogOptions options)
    {
        var failures = new List<string>();
        foreach (var (tenant, settings) in options.Tenants)
        {
            var at = $"Gateway:Tenants:{tenant}:BoxFront";
            var allowed = settings.Backends;
            var front = settings.BoxFront;
            if (front.Backend.Length > 0 && !(TypeOf(options, front.Backend) is { } type && type.Targets.Keys.Contains(BoxRouting.FolderKey)
                && allowed.Contains(front.Backend, StringComparer.Ordinal)))
            {
                failures.Add($"{at}:Backend is '{front.Backend}', which is not a backend whose targets take Box folder ids that the tenant may use (Gateway:Tenants:{tenant}:Backends).");
            }
            foreach (var (folder, route) in front.Folders)
            {
                var key = $"{at}:Folders:{folder}";
                foreach (var old in new[] { "SandboxId", "Directory", "User", "FolderId" }.Where(o => configuration.GetSection($"{key}:{o}").Value is not null))
                {
                    failures.Add($"{key}:{old} is the old place of a target key: name it in the backend's terms under {key}:Target (sandbox_id, directory, user, folder_id).");
                }
                if (!BoxId().IsMatch(folder))
                {
                    failures.Add($"{key}: a Box folder id is a decimal number.");
                }
                if (TypeOf(options, route.Backend) is not { } routeType || !allowed.Contains(route.Backend, StringComparer.Ordinal))
                {
                    failures.Add($"{key}:Backend is '{route.Backend}', which is not a configured backend the tenant may use.");
                    continue;
                }
                // The client's folder id and the file's name complete the route's keys, as at upload.
                var template = route.Target.ToDictionary(t => t.Key.ToLowerInvariant(), t => t.Value, StringComparer.Ordinal);
                foreach (var (target, problem) in routeType.Targets.CheckTemplate(template, complete: true))
                {
                    failures.Add($"{key}:Target:{target} {problem}");
                }
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9]{1,20}$")]
    internal static partial Regex BoxId();

    private IUploadBackendType? TypeOf(BoxFrontCatalogOptions options, string backend) =>
        options.Backends.TryGetValue(backend, out var settings) && types.TryGet(settings.Type, out var type) ? type : null;
}
