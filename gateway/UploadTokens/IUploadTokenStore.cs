using Gateway.Auth;

namespace Gateway.UploadTokens;

/// <summary>
/// Where grants live, shared by every instance (Redis; the embedded store when the gateway runs alone). Each
/// grant's records lapse with it in the store, so nothing outlives a token.
/// </summary>
internal interface IUploadTokenStore
{
    Task SaveAsync(UploadGrant grant, string secretHash);

    /// <summary>The grant and its secret's hash; null when unknown, revoked or expired.</summary>
    Task<(UploadGrant Grant, string SecretHash)?> FindAsync(string tokenId);

    /// <summary>Deletes the grant if it belongs to <paramref name="tenant"/>; false when there is none.</summary>
    Task<bool> RevokeAsync(string tenant, string tokenId);

    /// <summary>Counts one more upload of the grant unless that would exceed <paramref name="max"/>; false when used up.</summary>
    Task<bool> TryCountUploadAsync(UploadGrant grant, int max);

    Task AddSessionAsync(UploadGrant grant, string uploadId);

    Task<bool> HasSessionAsync(string tokenId, string uploadId);
}
