using Gateway.Auth;
using Gateway.Backends;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Box;

/// <summary>Where a Box-front upload goes: a backend, the target there, and the Box folder the client named.</summary>
internal sealed record BoxRoute(string Backend, string BackendType, UploadTarget Target, string? FolderId);

/// <summary>
/// The tenant's Box folders mapped to backends (<see cref="BoxFrontOptions"/>): a mapped folder goes where its
/// route says (a sandbox directory, keeping the file's name, or another Box backend); any other folder, and
/// every new version of a file, goes to the tenant's Box backend as it is.
/// </summary>
internal sealed class BoxRouting(IOptions<BoxFrontCatalogOptions> front, IOptions<BackendCatalogOptions> backends)
{
    public BoxRoute ForNewFile(Tenant tenant, string folderId, string fileName)
    {
        var options = Options(tenant);
        if (options?.Folders.TryGetValue(folderId, out var route) == true)
        {
            var type = backends.Value.Backends[route.Backend].Type;
            var target = type == BackendRegistry.SandboxType
                ? new UploadTarget { SandboxId = route.SandboxId, Path = route.Directory!.TrimEnd('/') + "/" + fileName, User = route.User }
                : new UploadTarget { FolderId = route.FolderId ?? folderId, FileName = fileName };
            return new BoxRoute(route.Backend, type, target, folderId);
        }
        return new BoxRoute(BoxBackend(tenant, options), BackendRegistry.BoxType, new UploadTarget { FolderId = folderId, FileName = fileName }, folderId);
    }

    /// <summary>File ids are Box's: a new version always goes to the tenant's Box backend.</summary>
    public BoxRoute ForNewVersion(Tenant tenant, string fileId, string? fileName) =>
        new(BoxBackend(tenant, Options(tenant)), BackendRegistry.BoxType, new UploadTarget { FileId = fileId, FileName = fileName }, null);

    /// <summary>The tenant's Box folder routed to where a sandbox session's file lands, for the file's <c>parent</c>.</summary>
    public string? FolderOf(UploadSession session)
    {
        var path = session.Target.Path ?? "";
        var directory = path[..Math.Max(0, path.LastIndexOf('/'))];
        return front.Value.Tenants.TryGetValue(session.Tenant, out var settings)
            ? settings.BoxFront.Folders.FirstOrDefault(f => f.Value.Backend == session.Backend && f.Value.SandboxId == session.Target.SandboxId
                && f.Value.Directory?.TrimEnd('/') == directory).Key
            : null;
    }

    private BoxFrontOptions? Options(Tenant tenant) =>
        front.Value.Tenants.TryGetValue(tenant.Name, out var settings) ? settings.BoxFront : null;

    private string BoxBackend(Tenant tenant, BoxFrontOptions? options)
    {
        if (options is { Backend.Length: > 0 })
        {
            return options.Backend;
        }
        return tenant.Backends.FirstOrDefault(b => backends.Value.Backends.TryGetValue(b, out var o) && o.Type == BackendRegistry.BoxType)
            ?? throw BoxErrors.FolderNotAccessible("This tenant has no Box backend, and the folder is not routed to another backend.");
    }
}
