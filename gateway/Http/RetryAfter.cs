using System.Globalization;

namespace Gateway.Http;

/// <summary>The <c>Retry-After</c> header as every front and the rate limiter write it.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// Asks the client to wait <paramref name="wait"/>, in whole seconds (RFC 9110 §10.2.3's delay-seconds), rounded
    /// up and at least 1: a 0 would invite an immediate retry of what was just refused.
    /// </summary>
    public static void SetRetryAfter(this IHeaderDictionary headers, TimeSpan wait) =>
        headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
