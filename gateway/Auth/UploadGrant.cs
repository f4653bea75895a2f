using Gateway.Backends;
using Gateway.Sessions;

namespace Gateway.Auth;

/// <summary>
/// What one upload token allows: creates on one backend, to one exact target or inside a prefix in that
/// backend's own terms, each at most <see cref="MaxBytes"/>, at most <see cref="MaxUploads"/> of them, until
/// <see cref="ExpiresAt"/>. The token itself never appears here (only its id): a grant may be logged, a token may not.
/// </summary>
/// <param name="Scope">Exact: the target, normalized by its backend. Prefix: the backend's prefix document (<see cref="IBackendTargets.Prefix"/>).</param>
internal sealed record UploadGrant(
    string TokenId, string Tenant, string Backend, UploadTarget Scope, bool IsPrefix,
    long MaxBytes, int? MaxUploads, string Conflict, DateTimeOffset ExpiresAt)
{
    /// <summary>Whether a create to <paramref name="target"/> (already normalized by <paramref name="backend"/>) is inside the scope; the backend says what "inside" means.</summary>
    public bool Covers(IUploadBackend backend, UploadTarget target) =>
        string.Equals(backend.Name, Backend, StringComparison.Ordinal)
        && (IsPrefix ? backend.Targets.Contains(Scope, target) : Scope.Equals(target));
}
