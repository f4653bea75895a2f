namespace Gateway.Domain;

/// <summary>
/// Digests of one part, each when known: what a client claims, or what the gateway computed or took as checked.
/// A recorded part is known by the one its backend checks (<c>PartRecord.Key</c>: the sandbox's SHA-256, Box's
/// SHA-1), from the gateway's own hash or from the client, when the backend checked that very digest against the
/// bytes before it accepted them (README.md, "Which digest is checked where").
/// </summary>
internal sealed record PartDigests(byte[]? Sha256, byte[]? Sha1)
{
    public static readonly PartDigests None = new(null, null);

    /// <summary>The kinds this holds.</summary>
    public DigestKinds Kinds => (Sha256 is null ? DigestKinds.None : DigestKinds.Sha256) | (Sha1 is null ? DigestKinds.None : DigestKinds.Sha1);
}

/// <summary>Part digest algorithms, as a set.</summary>
[Flags]
internal enum DigestKinds
{
    /// <summary>
    /// As a part record's key: a part known by no digest, which a re-chunking front sends to a backend that
    /// checks none at completion (docs/tus.md, "How bytes become parts"), so no byte of it is hashed for the
    /// record. Such a record is known by what the backend answered for it (its part id), and a retry of it,
    /// whose bytes would go nowhere, is refused.
    /// </summary>
    None = 0,
    Sha256 = 1,
    Sha1 = 2,
}

/// <summary>Whole-object digests, lowercase hex.</summary>
internal sealed record WholeChecksums
{
    public string? Sha256 { get; init; }

    public string? Sha1 { get; init; }
}
