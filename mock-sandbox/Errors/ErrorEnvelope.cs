using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MockSandbox.Errors;

/// <summary>
/// <c>{"error": {"code", "message", "hint"?, "request_id", "retryable", "details"?}}</c> [doc]. The optional
/// members are left out when empty rather than sent as null.
/// </summary>
internal sealed record ErrorEnvelope(ErrorBody Error);

internal sealed record ErrorBody(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Hint,
    string RequestId,
    bool Retryable,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Details);
