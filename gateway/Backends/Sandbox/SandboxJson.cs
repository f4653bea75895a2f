using System.Text.Json.Serialization;

namespace Gateway.Backends.Sandbox;

/// <summary>Create body of the sandbox upload API (mock-sandbox/README.md, create).</summary>
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

/// <summary>Complete body (mock-sandbox/README.md, publish).</summary>
internal sealed record SandboxCompleteBody(string? WholeChecksumSha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SandboxCreateBody))]
[JsonSerializable(typeof(SandboxCompleteBody))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;

/// <summary>The sandbox's answer to create (docs: mock-sandbox/README.md, create): the session it opened.</summary>
internal sealed record SandboxCreateAnswer
{
    public required SandboxSessionAnswer Session { get; init; }
}

internal sealed record SandboxSessionAnswer
{
    public required string UploadId { get; init; }

    public required long PartSize { get; init; }

    public required int PartCount { get; init; }

    public required string TargetPath { get; init; }

    public required int MaxConcurrency { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>The sandbox's answer to complete: what it published.</summary>
internal sealed record SandboxCompleteAnswer
{
    public required SandboxPublishedSession Session { get; init; }

    public required long PublishedBytes { get; init; }

    public required int PublishedFileCount { get; init; }
}

internal sealed record SandboxPublishedSession
{
    public required string TargetPath { get; init; }
}

/// <summary>The sandbox's answers, read with every member the gateway needs required and non-null.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(SandboxCreateAnswer))]
[JsonSerializable(typeof(SandboxCompleteAnswer))]
internal sealed partial class SandboxAnswerJsonContext : JsonSerializerContext;
