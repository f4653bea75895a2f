using MockBox.Files;
using MockBox.Sessions;

namespace MockBox.Tests.Sessions;

public sealed class PartSizingTests
{
    [Theory]
    [InlineData(20_000_000, 8_388_608, 8_388_608, 3)]
    [InlineData(8_388_608, 8_388_608, 8_388_608, 1)]
    [InlineData(8_388_609, 8_388_608, 8_388_608, 2)]
    [InlineData(83_886_080_000, 8_388_608, 8_388_608, 10_000)]
    [InlineData(83_886_080_001, 8_388_608, 16_777_216, 5_001)]
    [InlineData(0, 8_388_608, 8_388_608, 0)]
    [InlineData(long.MaxValue, 8_388_608, 1_125_899_906_842_624, 8_192)]
    public void Part_size_doubles_until_total_parts_is_at_most_10000(long fileSize, long configured, long partSize, int totalParts)
    {
        Assert.Equal((partSize, totalParts), PartSizing.For(fileSize, configured));
    }

    [Theory]
    [InlineData(150_000, 65_536, 0, 65_536)]
    [InlineData(150_000, 65_536, 131_072, 18_928)]
    [InlineData(131_072, 65_536, 65_536, 65_536)]
    public void Every_part_is_part_size_but_the_last_which_is_the_rest(long fileSize, long partSize, long offset, long expected)
    {
        Assert.Equal(expected, PartSizing.ExpectedSize(fileSize, partSize, offset));
    }

    [Theory]
    [InlineData("report.pdf", true)]
    [InlineData("spaces inside are fine.txt", true)]
    [InlineData(" leading space", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("tab\there", false)]
    [InlineData("del\u007f", false)]
    [InlineData("trailing ", false)]
    public void Item_names_follow_boxs_rules(string name, bool valid)
    {
        Assert.Equal(valid, FileNames.Problem(name) is null);
    }
}
