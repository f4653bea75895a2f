using Gateway.Auth;
using Gateway.Backends;
using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Gateway.Domain;

namespace Gateway.Tests.Auth;

/// <summary><c>Gateway:Tenants:*:Targets</c>: what a tenant may write to, refused as <c>invalid_target</c>.</summary>
public sealed class TargetPolicyTests
{
    private static Tenant With(Dictionary<string, List<string>>? rules = null) =>
        new("acme", new TenantLimits(), ["sandbox", "box"], rules ?? new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase), IsAdmin: false);

    private static readonly IBackendTargets Sandbox = SandboxTargets.Instance;
    private static readonly IBackendTargets Box = BoxTargets.Instance;

    [Fact]
    public void Empty_rules_allow_any_target()
    {
        TargetPolicy.Check(With(), Sandbox, new SandboxTarget("sb_any", "/anywhere/x").ToTarget());
        TargetPolicy.Check(With(), Box, new BoxTarget(null, null, "123").ToTarget());
    }

    [Theory]
    [InlineData("/workspace/in", true)]
    [InlineData("/workspace/in/deeper/a.bin", true)]
    [InlineData("/workspace/inbox/a.bin", false)]
    [InlineData("/etc/passwd", false)]
    public void A_path_prefix_matches_whole_segments(string path, bool allowed)
    {
        var tenant = With(new() { ["PathPrefixes"] = ["/workspace/in"] });

        var refusal = Record.Exception(() => TargetPolicy.Check(tenant, Sandbox, new SandboxTarget("sb_a", path).ToTarget()));

        Assert.Equal(allowed, refusal is null);
        if (refusal is not null)
        {
            Assert.Equal(ErrorCode.InvalidTarget, Assert.IsType<GatewayException>(refusal).Error);
        }
    }

    [Fact]
    public void A_sandbox_outside_the_list_is_refused()
    {
        var tenant = With(new() { ["SandboxIds"] = ["sb_mine"] });

        var refusal = Assert.Throws<GatewayException>(() => TargetPolicy.Check(tenant, Sandbox, new SandboxTarget("sb_theirs", "/a").ToTarget()));

        Assert.Equal(ErrorCode.InvalidTarget, refusal.Error);
        Assert.Contains("sb_theirs", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_limited_to_box_folders_uploads_new_files_there_only_and_no_new_versions()
    {
        var tenant = With(new() { ["BoxFolderIds"] = ["42"] });

        TargetPolicy.Check(tenant, Box, new BoxTarget("42", "a.bin", null).ToTarget());
        Assert.Equal(ErrorCode.InvalidTarget, Assert.Throws<GatewayException>(() => TargetPolicy.Check(tenant, Box, new BoxTarget("7", "a.bin", null).ToTarget())).Error);
        Assert.Equal(ErrorCode.InvalidTarget, Assert.Throws<GatewayException>(() => TargetPolicy.Check(tenant, Box, new BoxTarget(null, null, "99").ToTarget())).Error);
    }
}
