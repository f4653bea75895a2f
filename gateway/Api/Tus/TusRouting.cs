using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Uploads;
using UploadGateway.Contract;

namespace Gateway.Api.Tus;

/// <summary>
/// Where a tus upload goes, from its <c>Upload-Metadata</c> and the tenant's defaults
/// (<c>Gateway:Tenants:&lt;name&gt;:Tus</c>): the backend, then the target of that backend's type. The core
/// checks the target as it checks any other; a missing piece is a 400 naming the metadata key to send.
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
        var fileName = Value(metadata, "filename") ?? Value(metadata, "name");
        UploadTarget target;
        if (backend.Rules.Type == BackendRegistry.SandboxType)
        {
            var sandbox = Value(metadata, "sandbox_id") ?? d?.SandboxId ?? throw Missing("sandbox_id", "the sandbox");
            var path = Value(metadata, "path");
            if (path is null)
            {
                var directory = d?.Directory ?? throw Missing("path", "the absolute path of the file");
                var name = fileName ?? throw Missing("filename", "the file's name (or send path)");
                if (name is "." or ".." || name.Contains('/') || name.Contains('\\') || name.Any(char.IsControl))
                {
                    throw new GatewayException(ErrorCode.InvalidRequest, "Metadata 'filename' must be a plain file name.") { Extensions = Key("filename") };
                }
                path = directory.TrimEnd('/') + "/" + name;
            }
            target = new UploadTarget { SandboxId = sandbox, Path = path, User = Value(metadata, "user") };
        }
        else
        {
            var fileId = Value(metadata, "file_id");
            target = fileId is not null
                ? new UploadTarget { FileId = fileId, FileName = fileName }
                : new UploadTarget
                {
                    FolderId = Value(metadata, "folder_id") ?? d?.FolderId ?? throw Missing("folder_id", "the Box folder"),
                    FileName = fileName ?? throw Missing("filename", "the file's name"),
                };
        }
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

    private static GatewayException Missing(string key, string what) =>
        new(ErrorCode.InvalidRequest, $"Send metadata '{key}' ({what}): this tenant has no default for it.") { Extensions = Key(key) };

    private static Dictionary<string, object?> Key(string key) => new() { ["metadata_key"] = key };

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
