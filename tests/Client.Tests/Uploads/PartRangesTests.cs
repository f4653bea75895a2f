using UploadGateway.Client.Uploads;

namespace Client.Tests.Uploads;

public sealed class PartRangesTests
{
    [Theory]
    [InlineData("", 5, new int[0])]
    [InlineData("3", 5, new[] { 3 })]
    [InlineData("2,4-7", 8, new[] { 2, 4, 5, 6, 7 })]
    [InlineData("1-3, 5", 5, new[] { 1, 2, 3, 5 })]
    public void Missing_parts_ranges_name_exactly_their_parts(string ranges, int partCount, int[] parts) =>
        Assert.Equal(parts, PartRanges.Parse(ranges, partCount));

    [Theory]
    [InlineData("0", 5)]
    [InlineData("6", 5)]
    [InlineData("4-2", 5)]
    [InlineData("a", 5)]
    [InlineData("1-", 5)]
    public void Ranges_outside_the_upload_or_malformed_are_refused(string ranges, int partCount) =>
        Assert.Throws<FormatException>(() => PartRanges.Parse(ranges, partCount));

    [Fact]
    public void The_last_part_is_the_remainder()
    {
        Assert.Equal((0L, 10L), PartRanges.Span(25, 10, 1));
        Assert.Equal((20L, 5L), PartRanges.Span(25, 10, 3));
        Assert.Equal((10L, 10L), PartRanges.Span(20, 10, 2));
    }
}
