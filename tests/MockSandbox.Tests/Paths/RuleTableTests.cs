using MockSandbox.Errors;
using MockSandbox.Paths;
using MockSandbox.Sandboxes;

namespace MockSandbox.Tests.Paths;

/// <summary>The mock's copies of the sandbox-id and path rules against the tables the gateway's copies are held to too (<see cref="RuleTables"/>).</summary>
public sealed class RuleTableTests
{
    [Theory]
    [MemberData(nameof(RuleTables.SandboxIds), MemberType = typeof(RuleTables))]
    public void The_mock_judges_a_sandbox_id_as_the_sandbox_API_does(string why, string id, bool valid) =>
        Assert.True(valid == SandboxIds.IsValid(id), why);

    [Theory]
    [MemberData(nameof(RuleTables.SandboxPaths), MemberType = typeof(RuleTables))]
    public void The_mock_judges_a_path_as_the_sandbox_API_does(string why, string path, bool valid) =>
        Assert.True(valid == (SandboxPaths.TryResolve(path, null, "target_path", new List<FieldError>()) is not null), why);
}
