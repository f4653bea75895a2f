using System.Text.Json.Nodes;

namespace MockBox.Errors;

/// <summary>
/// One Box error, returned from a handler like any other typed result and written as Box's
/// <c>ClientError</c> envelope (README.md, "Error envelope").
/// </summary>
internal sealed class BoxError(int status, string code, string message, JsonObject? contextInfo = null)
    : IResult, IStatusCodeHttpResult
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Message { get; } = message;

    public JsonObject? ContextInfo { get; } = contextInfo;

    int? IStatusCodeHttpResult.StatusCode => Status;

    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<BoxErrorWriter>().WriteAsync(httpContext, this);

    public override string ToString() => $"{Status} {Code}: {Message}";
}
