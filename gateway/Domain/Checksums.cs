using System.Text.RegularExpressions;

namespace Gateway.Domain;

/// <summary>Whole-object digests as the contract takes them: lowercase hex of the right length.</summary>
internal static partial class Checksums
{
    public static WholeChecksums? Validate(WholeChecksums? checksums)
    {
        if (checksums is null)
        {
            return null;
        }
        if (checksums.Sha256 is { } sha256 && !Hex().IsMatch(sha256) || checksums.Sha256?.Length is not (null or 64))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "checksum.sha256 must be 64 hex digits.");
        }
        if (checksums.Sha1 is { } sha1 && !Hex().IsMatch(sha1) || checksums.Sha1?.Length is not (null or 40))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "checksum.sha1 must be 40 hex digits.");
        }
        return new WholeChecksums { Sha256 = checksums.Sha256?.ToLowerInvariant(), Sha1 = checksums.Sha1?.ToLowerInvariant() };
    }

    [GeneratedRegex("^[0-9a-fA-F]+$")]
    private static partial Regex Hex();
}
