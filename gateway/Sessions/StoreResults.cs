namespace Gateway.Sessions;

/// <summary>One request's claim on one part of a session.</summary>
internal sealed record PartLease(string UploadId, string Tenant, int PartNumber, string Token)
{
    public static PartLease New(string uploadId, string tenant, int partNumber) =>
        new(uploadId, tenant, partNumber, Guid.NewGuid().ToString("N"));
}

internal enum PartBeginOutcome
{
    Started,
    AlreadyReceived,
    NotFound,
    InvalidState,
    Expired,
    NoSuchPart,
    SizeMismatch,
    ConcurrencyLimit,
    PartInFlight,
}

/// <param name="Session">The session (without progress) when the part may proceed or was already received.</param>
/// <param name="ExpectedSize">The part's size by the part rule, when the part number is valid.</param>
/// <param name="Existing">The record of an already received part, to compare a retry against.</param>
/// <param name="Status">The session's status, for state errors.</param>
/// <param name="PartCount">The session's part count, for part-number errors.</param>
internal sealed record PartBegin(
    PartBeginOutcome Outcome,
    UploadSession? Session = null,
    long ExpectedSize = 0,
    PartRecord? Existing = null,
    string? Status = null,
    int PartCount = 0);

internal enum PartEndOutcome
{
    Recorded,
    Duplicate,
    Conflict,
    NotTakingParts,
    NotFound,
    Released,
}

internal sealed record PartEnd(PartEndOutcome Outcome, long AcceptedBytes = 0, int PartsReceived = 0, string? Status = null);

internal enum TransitionOutcome
{
    Done,
    NotFound,
    WrongState,
    PartsMissing,
}

internal sealed record Transition(TransitionOutcome Outcome, string? PreviousStatus = null);

internal sealed record SessionPage(IReadOnlyList<UploadSession> Sessions, ListCursor? Next);

internal sealed record LiveSessions(long Total, IReadOnlyList<UploadSession> Sessions);
