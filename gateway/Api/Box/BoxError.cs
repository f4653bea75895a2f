using System.Text.Json.Nodes;

namespace Gateway.Api.Box;

/// <summary>
/// One answer in Box's <c>ClientError</c> envelope, thrown by the front's handlers and written by
/// <see cref="BoxErrorWriter"/>: <c>{"type":"error","status","code","message","context_info","help_url","request_id"}</c>.
/// </summary>
internal sealed class BoxError(int status, string code, string message, JsonObject? contextInfo = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public JsonObject? ContextInfo { get; } = contextInfo;

    public TimeSpan? RetryAfter { get; init; }

    public string? UploadId { get; init; }
}
