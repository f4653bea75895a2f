using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MockSandbox.Paths;

namespace MockSandbox.Uploads;

/// <summary>What a session was created with; never changes afterwards.</summary>
internal sealed record UploadPlan(
    string UploadId,
    UploadKind Kind,
    SourceKind SourceKind,
    SandboxPath Target,
    string? User,
    long ContentLength,
    long PartSize,
    uint PartCount,
    int MaxConcurrency,
    ConflictPolicy Conflict,
    SessionLimitsDto Limits,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    ArchiveFormat? ArchiveFormat,
    string? WholeChecksumSha256,
    JsonElement? Metadata)
{
    /// <summary>Part <paramref name="part"/> is exactly <c>part_size</c> bytes, the last one the remainder [ours].</summary>
    public long LengthOf(uint part) =>
        part + 1 < PartCount ? PartSize : ContentLength - PartSize * (PartCount - 1L);

    /// <summary><c>ceil(content_length / part_size)</c>; 0 for an empty upload [ours].</summary>
    public static long PartCountFor(long contentLength, long partSize) =>
        contentLength == 0 ? 0 : (contentLength - 1) / partSize + 1;
}

/// <summary>Ids and digests as the API spells them.</summary>
internal static class UploadIds
{
    /// <summary>Upload ids look like <c>upload_…</c> [doc].</summary>
    public static string NewId() => "upload_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A lowercase-hex SHA-256 [doc: "optional lowercase-hex SHA-256 of the part body"].</summary>
    public static bool IsSha256Hex(string? value) => value is { Length: 64 } && value.AsSpan().ContainsOnlyHexLower();

    /// <summary>RFC 3339 in UTC to the second, as the seed's example shows (<c>2023-11-07T05:31:56Z</c>).</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    private static bool ContainsOnlyHexLower(this ReadOnlySpan<char> value) =>
        !value.ContainsAnyExcept("0123456789abcdef");
}
