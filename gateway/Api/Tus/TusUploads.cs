using Gateway.Auth;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Api.Tus;

/// <summary>Tells the forwarder a request without a body of its own has one: the staged bytes it sends instead.</summary>
internal sealed class StagedBody : IHttpRequestBodyDetectionFeature
{
    public bool CanHaveBody => true;
}

/// <summary>The caller's upload by its tus URL, with tus's answers for the ones that are gone.</summary>
internal static class TusUploads
{
    public static async Task<UploadSession> GetAsync(ISessionStore store, Tenant tenant, string id, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = UploadIds.IsWellFormed(id) ? await store.GetAsync(id, tenant.Name, cancellationToken) : null;
        return session?.StatusAt(time.GetUtcNow()) switch
        {
            null or SessionStatus.Aborted => throw new GatewayException(ErrorCode.NotFound, $"No upload {id}."),
            SessionStatus.Expired => throw new GatewayException(ErrorCode.Expired, "The upload expired; create a new one."),
            SessionStatus.Failed => throw new GatewayException(ErrorCode.InvalidState with { Status = StatusCodes.Status410Gone },
                "The upload failed at the backend; create a new one."),
            _ => session,
        };
    }

    public static async Task<UploadSession> GetLiveAsync(ISessionStore store, Tenant tenant, string id, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = await GetAsync(store, tenant, id, time, cancellationToken);
        return SessionStatus.TakesParts(session.Status) || session.Status is SessionStatus.Staged or SessionStatus.Completing
            ? session
            : throw new GatewayException(ErrorCode.InvalidState, $"The upload is {session.Status}; it takes no more bytes.");
    }
}
