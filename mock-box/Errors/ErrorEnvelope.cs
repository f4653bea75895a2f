using System.Text.Json.Nodes;

namespace MockBox.Errors;

/// <summary>Box's <c>ClientError</c> as written on the wire; <c>context_info</c> is free-form per endpoint (README.md).</summary>
internal sealed record ErrorEnvelope(
    string Type,
    int Status,
    string Code,
    string Message,
    JsonObject? ContextInfo,
    string HelpUrl,
    string RequestId);
