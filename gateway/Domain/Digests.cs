namespace Gateway.Domain;

/// <summary>Digests of one part: SHA-256 always computed by the gateway, SHA-1 for backends that need it.</summary>
internal sealed record PartDigests(byte[]? Sha256, byte[]? Sha1)
{
    public static readonly PartDigests None = new(null, null);
}

/// <summary>Whole-object digests, lowercase hex.</summary>
internal sealed record WholeChecksums
{
    public string? Sha256 { get; init; }

    public string? Sha1 { get; init; }
}
