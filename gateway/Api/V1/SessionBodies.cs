using Gateway.Backends;
using Gateway.Sessions;

namespace Gateway.Api.V1;

/// <summary>Sessions as v1 clients see them: the session body.</summary>
internal static class SessionBodies
{
    public static SessionBody From(UploadSession session, BackendRegistry backends, DateTimeOffset now)
    {
        var checksums = backends.TryGet(session.Backend, out var backend) ? backend.Rules.Checksums : new ChecksumsRequired([], []);
        var self = "/v1/uploads/" + session.Id;
        return new SessionBody(
            UploadId: session.Id,
            Backend: session.Backend,
            BackendType: session.BackendType,
            Target: session.Target,
            Kind: session.Kind,
            Status: session.StatusAt(now),
            ContentLength: session.ContentLength,
            AcceptedBytes: session.AcceptedBytes,
            PartSize: session.PartSize,
            PartCount: session.PartCount,
            PartsReceived: session.PartsReceived,
            PartsInFlight: session.PartsInFlight,
            NextPart: PartMath.NextPart(session.ReceivedParts, session.PartCount),
            MissingParts: PartMath.MissingRanges(session.ReceivedParts, session.PartCount),
            MaxConcurrency: session.MaxConcurrency,
            Conflict: session.Conflict,
            ChecksumsRequired: checksums,
            Limits: session.Limits,
            CreatedAt: session.CreatedAt.UtcDateTime,
            UpdatedAt: session.UpdatedAt.UtcDateTime,
            ExpiresAt: session.ExpiresAt.UtcDateTime,
            Result: session.Result,
            Links: new SessionLinks(self, self + "/parts", self + "/complete"));
    }
}
