using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.UploadTokens;

/// <summary>
/// The lifecycle's side of an upload token: a create by a token's holder must be inside its scope, within its
/// <c>max_bytes</c>, with its conflict rule, and within its <c>max_uploads</c> (counted across instances);
/// the session it made is then its own. Callers without a token pass untouched.
/// </summary>
internal sealed class UploadTokenAdmission(IUploadTokenStore store)
{
    /// <summary>Checks a create against the caller's token (target already normalized by its backend). Nothing is counted yet.</summary>
    public static void Check(Tenant tenant, IUploadBackend backend, UploadTarget target, string conflict, long length)
    {
        if (tenant.UploadToken is not { } grant)
        {
            return;
        }
        if (!grant.Covers(backend, target))
        {
            throw new GatewayException(ErrorCode.Forbidden, "This upload token does not allow uploads to that target.");
        }
        if (length > grant.MaxBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"content_length {length} is over this upload token's max_bytes {grant.MaxBytes}.");
        }
        if (!string.Equals(conflict, grant.Conflict, StringComparison.Ordinal))
        {
            throw new GatewayException(ErrorCode.Forbidden, $"This upload token allows conflict \"{grant.Conflict}\" only.");
        }
    }

    /// <summary>Counts the create against <c>max_uploads</c>, right before the backend is asked for a session.</summary>
    public async Task CountAsync(Tenant tenant)
    {
        if (tenant.UploadToken is { MaxUploads: { } max } grant && !await store.TryCountUploadAsync(grant, max))
        {
            throw new GatewayException(ErrorCode.Forbidden, $"This upload token's {max} upload(s) are used up.");
        }
    }

    /// <summary>Makes the created session the token's: the only ones its holder sees.</summary>
    public async Task RecordAsync(Tenant tenant, string uploadId)
    {
        if (tenant.UploadToken is { } grant)
        {
            await store.AddSessionAsync(grant, uploadId);
        }
    }
}
