using Gateway.Backends.Sandbox;
using Gateway.Sessions;

namespace Gateway.Auth;

/// <summary>
/// What one upload token allows: creates on one backend, to one exact target or under a prefix, each at most
/// <see cref="MaxBytes"/>, at most <see cref="MaxUploads"/> of them, until <see cref="ExpiresAt"/>. The token
/// itself never appears here (only its id): a grant may be logged, a token may not.
/// </summary>
/// <param name="Target">Exact: the normalized target. Prefix: the fields every target must share (sandbox id and user, or the Box folder).</param>
/// <param name="PathPrefix">Prefix only: the normalized path the targets' paths must lie under, segment-wise.</param>
internal sealed record UploadGrant(
    string TokenId, string Tenant, string Backend, UploadTarget Target, bool IsPrefix, string? PathPrefix,
    long MaxBytes, int? MaxUploads, string Conflict, DateTimeOffset ExpiresAt)
{
    /// <summary>Whether a create to <paramref name="target"/> (already normalized by its backend) is inside the scope.</summary>
    public bool Covers(string backend, UploadTarget target)
    {
        if (!string.Equals(backend, Backend, StringComparison.Ordinal))
        {
            return false;
        }
        if (!IsPrefix)
        {
            return target == Target;
        }
        // A prefix names where new files go: an existing file (a new version by id) is outside it, and the
        // user files are written as is the scope's (none when it names none).
        return target.FileId is null
            && Same(Target.SandboxId, target.SandboxId)
            && Same(Target.FolderId, target.FolderId)
            && string.Equals(Target.User, target.User, StringComparison.Ordinal)
            && (PathPrefix is null || (target.Path is { } path && path != PathPrefix && SandboxPaths.IsUnder(path, PathPrefix)));
    }

    private static bool Same(string? scope, string? given) => scope is null || string.Equals(scope, given, StringComparison.Ordinal);
}
