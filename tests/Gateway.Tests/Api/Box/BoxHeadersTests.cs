using System.Security.Cryptography;
using Gateway.Api.Box;

namespace Gateway.Tests.Api.Box;

/// <summary>Box's part headers, parsed strictly as mock-box does (Api/Box/BoxHeaders.cs).</summary>
public sealed class BoxHeadersTests
{
    [Theory]
    [InlineData("bytes 0-9/100", 0, 9, 100)]
    [InlineData("BYTES 90-99/100", 90, 99, 100)]
    [InlineData("bytes 5-5/6", 5, 5, 6)]
    public void A_well_formed_content_range_gives_its_inclusive_offsets_and_total(string header, long first, long last, long total)
    {
        Assert.True(BoxContentRange.TryParse(header, out var range));
        Assert.Equal(new BoxContentRange(first, last, total), range);
        Assert.Equal(last - first + 1, range.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes */100")]
    [InlineData("bytes 0-9/*")]
    [InlineData("bytes 9-0/100")]
    [InlineData("bytes 0-100/100")]
    [InlineData("bytes -1-9/100")]
    [InlineData("bytes +0-9/100")]
    [InlineData("bytes 0-9/")]
    [InlineData("items 0-9/100")]
    [InlineData("bytes 0-99999999999999999999/100")]
    public void Anything_else_is_not_a_content_range(string? header)
    {
        Assert.False(BoxContentRange.TryParse(header, out _));
    }

    [Theory]
    [InlineData("sha={0}")]
    [InlineData("SHA={0}")]
    [InlineData("md5=abc, sha={0}")]
    public void The_sha_member_of_digest_is_the_parts_sha1(string template)
    {
        var sha1 = SHA1.HashData("part"u8);

        Assert.Equal(DigestStatus.Present, BoxDigest.TryGetSha1(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Convert.ToBase64String(sha1)), out var read));
        Assert.Equal(sha1, read);
    }

    [Theory]
    [InlineData(null, "Missing")]
    [InlineData("  ", "Missing")]
    [InlineData("md5=abc", "Invalid")]
    [InlineData("sha=not base64!", "Invalid")]
    [InlineData("sha=AAAA", "Invalid")]
    public void A_digest_without_a_usable_sha_is_missing_or_invalid(string? header, string status)
    {
        Assert.Equal(status, BoxDigest.TryGetSha1(header, out _).ToString());
    }
}
