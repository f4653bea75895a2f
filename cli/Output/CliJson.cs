using System.Text.Json;
using System.Text.Json.Serialization;
using UploadGateway.Client;

namespace UploadGateway.Cli.Output;

/// <summary>The <c>--json</c> documents: the contract's own shapes (snake_case), and one error shape.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(UploadSession))]
[JsonSerializable(typeof(UploadsPage))]
[JsonSerializable(typeof(BackendsDocument))]
[JsonSerializable(typeof(ErrorDocument))]
internal sealed partial class CliJson : JsonSerializerContext
{
    public static void Write<T>(CliEnvironment environment, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        environment.WriteLine(JsonSerializer.Serialize(value, type));
}

internal sealed record BackendsDocument(IReadOnlyList<BackendInfo> Backends);

/// <summary><c>{"error": {...}}</c>: what failed, in terms a script can branch on.</summary>
internal sealed record ErrorDocument(ErrorDetail Error);

/// <param name="Resume">When the upload can be continued: the command that does it.</param>
internal sealed record ErrorDetail(int ExitCode, string Kind, string Message, string? Code = null, int? Status = null, string? UploadId = null,
    string? TraceId = null, string? Resume = null);
