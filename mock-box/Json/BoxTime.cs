using System.Globalization;

namespace MockBox.Json;

/// <summary>Box's timestamps: RFC 3339 to the second with a numeric offset, e.g. <c>2012-12-12T10:53:43-08:00</c> (the spec's examples).</summary>
internal static class BoxTime
{
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
