using MockBox.Files;

namespace MockBox.Tests.Files;

/// <summary>The mock's copy of Box's item name rule against the table the gateway's copy is held to too (<see cref="RuleTables"/>).</summary>
public sealed class RuleTableTests
{
    [Theory]
    [MemberData(nameof(RuleTables.BoxFileNames), MemberType = typeof(RuleTables))]
    public void The_mock_judges_a_file_name_as_Box_does(string why, string name, bool valid) =>
        Assert.True(valid == (FileNames.Problem(name) is null), why);
}
