using System.Text.Json.Serialization;

namespace MockCommon;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>Adds <see cref="FaultRule.LatencyMs"/> before the request is handled.</summary>
    [JsonStringEnumMemberName("latency")]
    Latency,

    /// <summary>Answers with <see cref="FaultRule.Status"/> in the API's error envelope instead of handling the request.</summary>
    [JsonStringEnumMemberName("error")]
    Error,

    /// <summary>Reads <see cref="FaultRule.AfterBytes"/> bytes of the request body, then drops the connection.</summary>
    [JsonStringEnumMemberName("drop")]
    Drop,

    /// <summary>
    /// Handles the request, then leaves every member named <see cref="FaultRule.Field"/> out of its JSON answer:
    /// a malformed answer, as a client of a changed or broken API would see it.
    /// </summary>
    [JsonStringEnumMemberName("omit")]
    Omit,
}

/// <summary>
/// One injected fault: which requests it matches (method, and a substring of the path) and how many
/// more times it fires (<c>null</c>: until cleared).
/// </summary>
public sealed record FaultRule
{
    public required FaultKind Kind { get; init; }

    public string? Method { get; init; }

    public string? Path { get; init; }

    public int? Count { get; init; }

    public int LatencyMs { get; init; }

    public int Status { get; init; } = 500;

    public string? Code { get; init; }

    public string? Message { get; init; }

    public int? RetryAfter { get; init; }

    public long AfterBytes { get; init; }

    /// <summary>The member an <see cref="FaultKind.Omit"/> fault leaves out, at any depth of the answer.</summary>
    public string? Field { get; init; }

    public bool Matches(string method, string path) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && (Path is null || path.Contains(Path, StringComparison.Ordinal));
}
