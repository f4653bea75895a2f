using System.Text.Json.Serialization;

namespace Gateway.Backends.Sandbox;

/// <summary>Create body of the sandbox upload API (SANDBOX-API.md, create).</summary>
internal sealed record SandboxCreateBody(
    string Kind,
    string SourceKind,
    string TargetPath,
    long ContentLength,
    string Conflict,
    string ChecksumAlgorithm,
    string? User,
    string? ArchiveFormat,
    Dictionary<string, string> Metadata);

/// <summary>Complete body (SANDBOX-API.md, publish).</summary>
internal sealed record SandboxCompleteBody(string? WholeChecksumSha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SandboxCreateBody))]
[JsonSerializable(typeof(SandboxCompleteBody))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
