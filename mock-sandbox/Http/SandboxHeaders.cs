namespace MockSandbox.Http;

/// <summary>Header names the sandbox API uses beyond the standard ones.</summary>
internal static class SandboxHeaders
{
    /// <summary>Required on create and complete [doc].</summary>
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>Optional lowercase-hex SHA-256 of one part's body; the name is ours [ours].</summary>
    public const string PartSha256 = "X-Part-SHA256";

    /// <summary>Echoes the error envelope's <c>request_id</c> on every response, so a log line can be matched to a call.</summary>
    public const string RequestId = "X-Request-Id";
}
