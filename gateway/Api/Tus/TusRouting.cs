using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Uploads;
using UploadGateway.Contract;

namespace Gateway.Api.Tus;

/// <summary>
/// Where a tus upload goes, from its <c>Upload-Metadata</c> and the tenant's defaults
/// (<c>Gateway:Tenants:&lt;name&gt;:Tus</c>): the backend, then the target, which that backend builds from its own
/// keys (<see cref="IBackendTargets.From"/>). The core checks the target as it checks any other; a missing piece is
/// a 400 naming the metadata key to send.
/// </summary>
internal static class TusRouting
{
    public static CreateUpload Resolve(Tenant tenant, IReadOnlyDictionary<string, string> metadata, TusDefaults? defaults, BackendRegistry backends, long length)
    {
        var backendName = Value(metadata, "backend") ?? defaults?.Backend
            ?? (tenant.Backends.Count == 1 ? tenant.Backends[0] : throw Missing("backend", "which backend to upload to"));
        if (!tenant.MayUse(backendName) || !backends.TryGet(backendName, out var backend))
        {
            throw new GatewayException(ErrorCode.UnknownBackend, $"No backend '{Shorten(backendName)}' is available to this tenant (metadata 'backend').")
            {
                Extensions = Key("backend"),
            };
        }
        // Defaults of another backend than the chosen one do not apply to it.
        var d = defaults?.Backend == backend.Name ? defaults : null;
        // The backend builds its target from its own keys: the tenant's defaults, the metadata over them.
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in d?.Target ?? [])
        {
            keys[key.ToLowerInvariant()] = value;
        }
        foreach (var (key, value) in metadata.Where(m => m.Value.Length > 0))
        {
            keys[key] = value;
        }
        // tus clients name the file 'filename' (tus-js-client's examples) or 'name' (Uppy).
        if (!keys.ContainsKey(TargetKeys.FileName) && Value(metadata, "name") is { } name)
        {
            keys[TargetKeys.FileName] = name;
        }
        var target = backend.Targets.From(keys);
        var conflict = Value(metadata, "conflict") ?? d?.Conflict ?? ContractValues.Conflicts.Error;
        if (!ContractValues.Conflicts.All.Contains(conflict))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "Metadata 'conflict' must be error, replace or merge.") { Extensions = Key("conflict") };
        }
        // All of the metadata goes to the pre-create hook, routing keys included: it approves what the client asked for.
        return new CreateUpload(backend.Name, target, ContractValues.Kinds.File, conflict, length, null, metadata);
    }

    private static string? Value(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    private static GatewayException Missing(string key, string what) => TargetKeys.Missing(key, what);

    private static Dictionary<string, object?> Key(string key) => new() { ["metadata_key"] = key };

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
