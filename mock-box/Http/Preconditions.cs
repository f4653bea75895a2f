namespace MockBox.Http;

/// <summary>
/// <c>If-Match</c> / <c>If-None-Match</c> on commit (README.md operation 7: 412 when either fails). Box
/// etags are bare strings (<c>"1"</c> in JSON); clients may send them quoted or weak, so quotes and
/// <c>W/</c> are ignored when comparing. <paramref name="currentEtag"/> is null when no item exists yet
/// (a session for a new file).
/// </summary>
internal static class Preconditions
{
    public static bool Fail(string? ifMatch, string? ifNoneMatch, string? currentEtag) =>
        IfMatchFails(ifMatch, currentEtag) || IfNoneMatchFails(ifNoneMatch, currentEtag);

    // RFC 9110 §13.1.1: false when there is no current representation, or none of the tags is the current one.
    private static bool IfMatchFails(string? header, string? currentEtag)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return false;
        }
        if (currentEtag is null)
        {
            return true;
        }
        return !Tags(header).Any(tag => tag == "*" || tag == currentEtag);
    }

    // RFC 9110 §13.1.2: fails when "*" and an item exists, or when one of the tags is the current one.
    private static bool IfNoneMatchFails(string? header, string? currentEtag)
    {
        if (string.IsNullOrWhiteSpace(header) || currentEtag is null)
        {
            return false;
        }
        return Tags(header).Any(tag => tag == "*" || tag == currentEtag);
    }

    private static IEnumerable<string> Tags(string header) =>
        header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(tag => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag)
            .Select(tag => tag.Trim('"'));
}
