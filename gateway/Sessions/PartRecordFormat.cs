namespace Gateway.Sessions;

/// <summary>
/// A part record as one string, <c>sha256|size|sha1|backend part id</c>: the SHA-256 comes first at a fixed
/// width so the Redis scripts compare digests without parsing.
/// </summary>
internal static class PartRecordFormat
{
    public static string Encode(PartRecord part) =>
        $"{part.Sha256}|{part.Size}|{part.Sha1}|{part.BackendPartId}";

    public static PartRecord Decode(int number, string text)
    {
        var fields = text.Split('|', 4);
        return new PartRecord(number, long.Parse(fields[1]), fields[0], NullIfEmpty(fields[2]), NullIfEmpty(fields[3]));
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
