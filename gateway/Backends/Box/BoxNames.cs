namespace Gateway.Backends.Box;

/// <summary>
/// Box's item name rule, the one home of it in the gateway (Box's upload preflight, ../shared/specs/box:
/// <c>item_name_invalid</c>; Box documents "at most 255 characters; no non-printable ASCII, <c>/</c> or
/// <c>\</c>; no trailing space; not <c>.</c> or <c>..</c>"). A leading space and non-ASCII characters are
/// Box's to accept; the gateway's own refusal of control and look-alike characters in every name
/// (<see cref="TargetNames.RefuseUnsafeCharacters"/>) is a separate, stricter rule of the gateway's.
/// </summary>
internal static class BoxNames
{
    public const int MaxLength = 255;

    /// <summary>Why <paramref name="name"/> is not a valid Box item name, or null when it is.</summary>
    public static string? Problem(string name) => name switch
    {
        { Length: 0 or > MaxLength } => $"must be 1 to {MaxLength} characters",
        "." or ".." => "may not be . or ..",
        _ when name.AsSpan().IndexOfAny('/', '\\') >= 0 => "may not contain / or \\",
        _ when name.Any(c => c < 0x20 || c == 0x7F) => "may not contain non-printable ASCII characters",
        _ when name.EndsWith(' ') => "may not end with a space",
        _ => null,
    };
}
