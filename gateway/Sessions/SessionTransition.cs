namespace Gateway.Sessions;

/// <summary>
/// The moves a session makes after its parts, by name, each with the states it may start from. Both stores
/// apply these same objects (the Redis one passes them to <c>transition.lua</c>), so the rule lives here only.
/// </summary>
/// <param name="RequireAllParts">Only once every part arrived (else <see cref="TransitionOutcome.PartsMissing"/>).</param>
/// <param name="Event">The event the store writes in the same step (<see cref="EventTypes"/>); null for the moves no consumer hears of.</param>
internal sealed record SessionTransition(string Name, IReadOnlyList<string> From, string To, bool RequireAllParts = false, string? Event = null)
{
    /// <summary>Complete begins: every part is there, the backend is asked to assemble. Repeating it is safe.</summary>
    public static readonly SessionTransition BeginComplete =
        new("begin_complete", [SessionStatus.Staged, SessionStatus.Completing], SessionStatus.Completing, RequireAllParts: true);

    /// <summary>The backend refused complete in a way the client can retry or correct: the parts are all still there.</summary>
    public static readonly SessionTransition Reopen = new("reopen", [SessionStatus.Completing], SessionStatus.Staged);

    public static readonly SessionTransition Complete = new("complete", [SessionStatus.Completing], SessionStatus.Completed, Event: EventTypes.Completed);

    /// <summary>The backend ended its session because of the commit (a failed archive, a wrong digest).</summary>
    public static readonly SessionTransition Fail = new("fail", [SessionStatus.Completing], SessionStatus.Failed, Event: EventTypes.Failed);

    public static readonly SessionTransition Abort = new("abort", SessionStatus.Live, SessionStatus.Aborted, Event: EventTypes.Aborted);

    public static readonly SessionTransition Expire = new("expire", SessionStatus.Live, SessionStatus.Expired, Event: EventTypes.Expired);

    public bool StartsFrom(string status) => From.Contains(status);
}
