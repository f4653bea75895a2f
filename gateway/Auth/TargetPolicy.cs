using Gateway.Backends.Sandbox;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Auth;

/// <summary>
/// The targets a tenant may write to (<c>Gateway:Tenants:*:Targets</c>). A refused target is
/// <c>422 invalid_target</c>, like any other target the caller may not use.
/// </summary>
internal static class TargetPolicy
{
    public static void Check(Tenant tenant, UploadTarget target)
    {
        var rules = tenant.Targets;
        if (target.SandboxId is { } sandbox && rules.SandboxIds.Count > 0 && !rules.SandboxIds.Contains(sandbox, StringComparer.Ordinal))
        {
            throw Refused($"sandbox {sandbox}");
        }
        if (target.Path is { } path && rules.PathPrefixes.Count > 0 && !rules.PathPrefixes.Any(prefix => SandboxPaths.IsUnder(path, prefix)))
        {
            throw Refused($"path {path}");
        }
        if (rules.BoxFolderIds.Count > 0)
        {
            if (target.FileId is not null)
            {
                // Which folder holds a file is Box's to say; a tenant confined to folders uploads new files only.
                throw Refused("new versions of existing files (the tenant is limited to Box folders)");
            }
            if (target.FolderId is { } folder && !rules.BoxFolderIds.Contains(folder, StringComparer.Ordinal))
            {
                throw Refused($"Box folder {folder}");
            }
        }
    }

    private static GatewayException Refused(string what) =>
        new(ErrorCode.InvalidTarget, $"This tenant may not upload to {what}.");
}
