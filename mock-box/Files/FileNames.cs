namespace MockBox.Files;

/// <summary>
/// Box's item name rules (its upload preflight, README.md operation 1 "item_name_invalid"): at most 255
/// characters, no <c>/</c> or <c>\</c>, no non-printable ASCII, no trailing space, not <c>.</c> or <c>..</c>.
/// Names are compared case-insensitively within a folder.
/// </summary>
internal static class FileNames
{
    public const int MaxLength = 255;

    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>Why <paramref name="name"/> is not a valid Box item name, or null when it is.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "the name is empty";
        }
        if (name.Length > MaxLength)
        {
            return $"the name is longer than {MaxLength} characters";
        }
        if (name is "." or "..")
        {
            return "'.' and '..' are reserved";
        }
        if (name.AsSpan().IndexOfAny('/', '\\') >= 0)
        {
            return "the name contains '/' or '\\'";
        }
        if (name.Any(c => c < 0x20 || c == 0x7F))
        {
            return "the name contains non-printable characters";
        }
        if (name.EndsWith(' '))
        {
            return "the name ends with a space";
        }
        return null;
    }
}
