using MockBox.Http;

namespace MockBox.Tests.Http;

public sealed class HeaderParsingTests
{
    [Theory]
    [InlineData("bytes 0-8388607/32127641", 0, 8388607, 32127641)]
    [InlineData("bytes 8388608-16777215/32127641", 8388608, 16777215, 32127641)]
    [InlineData("BYTES 0-0/1", 0, 0, 1)]
    public void Content_range_parses_inclusive_offsets_and_the_total(string value, long first, long last, long total)
    {
        Assert.True(ContentRange.TryParse(value, out var range));
        Assert.Equal(new ContentRange(first, last, total), range);
        Assert.Equal(last - first + 1, range.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes 0-1")]
    [InlineData("bytes 0-1/")]
    [InlineData("bytes  0-1/2")]
    [InlineData("bytes 0 -1/2")]
    [InlineData("bytes +0-1/2")]
    [InlineData("bytes 0-1/2 ")]
    [InlineData("bytes 1-0/2")]
    [InlineData("bytes 0-2/2")]
    [InlineData("bytes 0-1/*")]
    [InlineData("items 0-1/2")]
    [InlineData("bytes 0-99999999999999999999/99999999999999999999")]
    public void Content_range_refuses_anything_but_bytes_first_last_total_with_first_le_last_lt_total(string? value)
    {
        Assert.False(ContentRange.TryParse(value, out _));
    }

    [Fact]
    public void Digest_reads_the_base64_sha1_among_other_instance_digests()
    {
        var sha1 = System.Security.Cryptography.SHA1.HashData("abc"u8);

        var status = DigestHeader.TryGetSha1("md5=kAFQmDzST7DWlj99KOF/cg==, Sha=" + Convert.ToBase64String(sha1), out var parsed);

        Assert.Equal(DigestStatus.Present, status);
        Assert.Equal(sha1, parsed);
    }

    [Theory]
    [InlineData(null, "Missing")]
    [InlineData("  ", "Missing")]
    [InlineData("sha", "Invalid")]
    [InlineData("sha=", "Invalid")]
    [InlineData("sha-256=ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", "Invalid")]
    [InlineData("sha=qZk+NkcGgWq6PiVxeFDCbJzQ2J0", "Invalid")] // unpadded base64
    [InlineData("sha=a9993e364706816aba3e25717850c26c9cd0d89d", "Invalid")] // hex
    public void Digest_is_missing_or_invalid_unless_it_carries_a_base64_sha1(string? header, string expected)
    {
        Assert.Equal(Enum.Parse<DigestStatus>(expected), DigestHeader.TryGetSha1(header, out _));
    }

    [Theory]
    [InlineData(null, null, "3", false)]
    [InlineData("3", null, "3", false)]
    [InlineData("\"3\"", null, "3", false)]
    [InlineData("W/\"3\"", null, "3", false)]
    [InlineData("1, 3", null, "3", false)]
    [InlineData("*", null, "3", false)]
    [InlineData("2", null, "3", true)]
    [InlineData("*", null, null, true)]
    [InlineData("0", null, null, true)]
    [InlineData(null, "3", "3", true)]
    [InlineData(null, "*", "3", true)]
    [InlineData(null, "2", "3", false)]
    [InlineData(null, "*", null, false)]
    public void Preconditions_follow_rfc_9110_against_the_current_etag(string? ifMatch, string? ifNoneMatch, string? currentEtag, bool fails)
    {
        Assert.Equal(fails, Preconditions.Fail(ifMatch, ifNoneMatch, currentEtag));
    }
}
