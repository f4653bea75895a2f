using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Box;

/// <summary>Where a Box-front upload goes: a backend, and the target there in that backend's own terms.</summary>
internal sealed record BoxRoute(string Backend, UploadTarget Target);

/// <summary>
/// The tenant's Box folders mapped to backends (<see cref="BoxFrontOptions"/>): a mapped folder goes where its
/// route says, any other folder and every new version of a file to the tenant's Box-front backend. The front never
/// decides a backend's target itself: it hands the backend the keys of Box's wire (<c>folder_id</c>, <c>file_id</c>,
/// the file's name) under the route's own keys, and the backend builds its target from them; a backend that cannot
/// take what the client asks is a 4xx saying so.
/// </summary>
internal sealed class BoxRouting(IOptions<BoxFrontCatalogOptions> front, BackendRegistry backends)
{
    /// <summary>The Box wire's folder id, as a target key: a backend whose targets take it stores in Box folders.</summary>
    public const string FolderKey = "folder_id";

    /// <summary>The Box wire's file id, as a target key: a backend whose targets take it can version an existing file.</summary>
    public const string FileKey = "file_id";

    public BoxRoute ForNewFile(Tenant tenant, string folderId, string fileName)
    {
        var options = Options(tenant);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal) { [FolderKey] = folderId, [TargetKeys.FileName] = fileName };
        if (options?.Folders.TryGetValue(folderId, out var route) == true)
        {
            foreach (var (key, value) in route.Target)
            {
                keys[key.ToLowerInvariant()] = value;
            }
            return Route(Backend(tenant, route.Backend), keys);
        }
        return Route(DefaultBackend(tenant, options), keys);
    }

    /// <summary>File ids are Box's: a new version goes to the tenant's Box-front backend, which must know file ids.</summary>
    public BoxRoute ForNewVersion(Tenant tenant, string fileId, string? fileName)
    {
        var backend = DefaultBackend(tenant, Options(tenant));
        if (!backend.Targets.Keys.Contains(FileKey))
        {
            throw BoxErrors.NotFound($"Backend '{backend.Name}' keeps no Box file ids, so it cannot take a new version of file {fileId}.");
        }
        var keys = new Dictionary<string, string>(StringComparer.Ordinal) { [FileKey] = fileId };
        if (fileName is not null)
        {
            keys[TargetKeys.FileName] = fileName;
        }
        return Route(backend, keys);
    }

    /// <summary>The keys a session's target answers to (its backend's inverse of the keys it was built from).</summary>
    public IReadOnlyDictionary<string, string> KeysOf(UploadSession session) =>
        backends.TryGet(session.Backend, out var backend) ? backend.Targets.KeysOf(session.Target) : new Dictionary<string, string>();

    /// <summary>
    /// The tenant's Box folder routed to where a session's file landed, for the file's <c>parent</c>: the folder whose
    /// route, given the file's name, makes this session's target.
    /// </summary>
    public string? FolderOf(UploadSession session)
    {
        if (!front.Value.Tenants.TryGetValue(session.Tenant, out var settings) || !backends.TryGet(session.Backend, out var backend)
            || !backend.Targets.KeysOf(session.Target).TryGetValue(TargetKeys.FileName, out var fileName))
        {
            return null;
        }
        foreach (var (folder, route) in settings.BoxFront.Folders.Where(f => f.Value.Backend == session.Backend))
        {
            var keys = new Dictionary<string, string>(StringComparer.Ordinal) { [FolderKey] = folder, [TargetKeys.FileName] = fileName };
            foreach (var (key, value) in route.Target)
            {
                keys[key.ToLowerInvariant()] = value;
            }
            try
            {
                if (backend.Targets.Validate(backend.Targets.From(keys), session.Kind, session.Conflict).Equals(session.Target))
                {
                    return folder;
                }
            }
            catch (GatewayException)
            {
                // A route that makes no valid target for this name is not where the file landed.
            }
        }
        return null;
    }

    /// <summary>The backend's target from the keys; a name the backend refuses is Box's <c>item_name_invalid</c>.</summary>
    private static BoxRoute Route(IUploadBackend backend, Dictionary<string, string> keys)
    {
        if (keys.TryGetValue(TargetKeys.FileName, out var name) && backend.Targets.FileNameProblem(name) is { } problem)
        {
            throw new BoxError(400, "item_name_invalid", "Item name invalid: file_name " + problem);
        }
        try
        {
            return new BoxRoute(backend.Name, backend.Targets.From(keys));
        }
        catch (GatewayException e)
        {
            throw BoxErrors.From(e, BoxOperation.Create);
        }
    }

    private BoxFrontOptions? Options(Tenant tenant) =>
        front.Value.Tenants.TryGetValue(tenant.Name, out var settings) ? settings.BoxFront : null;

    private IUploadBackend Backend(Tenant tenant, string name) =>
        tenant.MayUse(name) && backends.TryGet(name, out var backend)
            ? backend
            : throw BoxErrors.FolderNotAccessible($"The folder is routed to backend '{name}', which is not available to this tenant.");

    /// <summary>
    /// The tenant's <c>BoxFront:Backend</c>, or else its first backend whose targets take Box folder ids: the front
    /// asks each backend what it takes rather than assuming by its type.
    /// </summary>
    private IUploadBackend DefaultBackend(Tenant tenant, BoxFrontOptions? options)
    {
        if (options is { Backend.Length: > 0 })
        {
            return Backend(tenant, options.Backend);
        }
        foreach (var name in tenant.Backends)
        {
            if (backends.TryGet(name, out var backend) && backend.Targets.Keys.Contains(FolderKey))
            {
                return backend;
            }
        }
        throw BoxErrors.FolderNotAccessible("This tenant has no backend that stores in Box folders, and the folder is not routed to another backend.");
    }
}
