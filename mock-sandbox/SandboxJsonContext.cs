using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MockSandbox.Errors;
using MockSandbox.Testing;
using MockSandbox.Uploads;

namespace MockSandbox;

/// <summary>
/// Source-generated JSON for everything the mock reads and writes, in snake_case like the API. Null
/// members are written (the status object's optional fields are present as null); the error envelope
/// leaves out its empty optional members explicitly.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UploadSessionDto))]
[JsonSerializable(typeof(CreateUploadRequest))]
[JsonSerializable(typeof(CreateUploadResponse))]
[JsonSerializable(typeof(CompleteUploadRequest))]
[JsonSerializable(typeof(CompleteUploadResponse))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(MockSandboxRequest))]
[JsonSerializable(typeof(MockSandboxView))]
[JsonSerializable(typeof(MockSandboxView[]))]
[JsonSerializable(typeof(MockSweepResult))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
