using System.Text.Json;
using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Gateway.Domain;
using Gateway.Sessions;
using TestSupport;
using UploadGateway.Contract;

namespace Gateway.Tests.Backends;

/// <summary>
/// The gateway's copies of the backends' rules against the tables the mocks are held to too
/// (<see cref="RuleTables"/>): what the gateway refuses, the API refuses, and the reverse.
/// </summary>
public sealed class RuleTableTests
{
    [Theory]
    [MemberData(nameof(RuleTables.BoxFileNames), MemberType = typeof(RuleTables))]
    public void The_Box_targets_judge_a_file_name_as_Box_does(string why, string name, bool valid)
    {
        var target = Target(new Dictionary<string, string> { ["folder_id"] = "123", ["file_name"] = name });

        Assert.True(valid == Accepts(() => BoxTargets.Instance.Validate(target, ContractValues.Kinds.File, ContractValues.Conflicts.Error)), why);
        Assert.True(valid == (BoxTargets.Instance.FileNameProblem(name) is null), why);
    }

    [Theory]
    [MemberData(nameof(RuleTables.SandboxIds), MemberType = typeof(RuleTables))]
    public void The_sandbox_targets_judge_a_sandbox_id_as_the_sandbox_API_does(string why, string id, bool valid)
    {
        var target = Target(new Dictionary<string, string> { ["sandbox_id"] = id, ["path"] = "/workspace/a.txt" });

        Assert.True(valid == Accepts(() => SandboxTargets.Instance.Validate(target, ContractValues.Kinds.File, ContractValues.Conflicts.Error)), why);
    }

    [Theory]
    [MemberData(nameof(RuleTables.SandboxPaths), MemberType = typeof(RuleTables))]
    public void The_sandbox_targets_judge_a_path_as_the_sandbox_API_does(string why, string path, bool valid)
    {
        var target = Target(new Dictionary<string, string> { ["sandbox_id"] = "sb_a1b2c3d4", ["path"] = path });

        Assert.True(valid == Accepts(() => SandboxTargets.Instance.Validate(target, ContractValues.Kinds.File, ContractValues.Conflicts.Error)), why);
    }

    private static UploadTarget Target(Dictionary<string, string> members) => UploadTarget.Parse(JsonSerializer.Serialize(members));

    private static bool Accepts(Func<UploadTarget> validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (GatewayException e) when (e.Error == ErrorCode.InvalidTarget)
        {
            return false;
        }
    }
}
