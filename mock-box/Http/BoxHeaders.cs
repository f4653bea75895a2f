namespace MockBox.Http;

/// <summary>Header names the Box API reads or writes, in one place.</summary>
internal static class BoxHeaders
{
    public const string Authorization = "Authorization";

    public const string WwwAuthenticate = "WWW-Authenticate";

    /// <summary>RFC 3230 instance digest; Box accepts only <c>sha=&lt;base64 SHA-1&gt;</c> (README.md operation 4 and 7).</summary>
    public const string Digest = "Digest";

    /// <summary><c>bytes first-last/total</c>, inclusive offsets (README.md operation 4).</summary>
    public const string ContentRange = "Content-Range";

    public const string IfMatch = "If-Match";

    public const string IfNoneMatch = "If-None-Match";

    /// <summary>Seconds to wait before retrying a commit that was answered 202 (README.md operation 7).</summary>
    public const string RetryAfter = "Retry-After";
}
