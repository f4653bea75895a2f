using Gateway.Auth;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Tests.Auth;

/// <summary><c>Gateway:Tenants:*:Targets</c>: what a tenant may write to, refused as <c>invalid_target</c>.</summary>
public sealed class TargetPolicyTests
{
    private static Tenant With(TargetRules rules) => new("acme", new TenantLimits(), ["sandbox", "box"], rules, IsAdmin: false);

    [Fact]
    public void Empty_rules_allow_any_target()
    {
        TargetPolicy.Check(With(new TargetRules()), new UploadTarget { SandboxId = "sb_any", Path = "/anywhere/x" });
        TargetPolicy.Check(With(new TargetRules()), new UploadTarget { FileId = "123" });
    }

    [Theory]
    [InlineData("/workspace/in", true)]
    [InlineData("/workspace/in/deeper/a.bin", true)]
    [InlineData("/workspace/inbox/a.bin", false)]
    [InlineData("/etc/passwd", false)]
    public void A_path_prefix_matches_whole_segments(string path, bool allowed)
    {
        var tenant = With(new TargetRules { PathPrefixes = ["/workspace/in"] });

        var refusal = Record.Exception(() => TargetPolicy.Check(tenant, new UploadTarget { SandboxId = "sb_a", Path = path }));

        Assert.Equal(allowed, refusal is null);
        if (refusal is not null)
        {
            Assert.Equal(ErrorCode.InvalidTarget, Assert.IsType<GatewayException>(refusal).Error);
        }
    }

    [Fact]
    public void A_sandbox_outside_the_list_is_refused()
    {
        var tenant = With(new TargetRules { SandboxIds = ["sb_mine"] });

        var refusal = Assert.Throws<GatewayException>(() => TargetPolicy.Check(tenant, new UploadTarget { SandboxId = "sb_theirs", Path = "/a" }));

        Assert.Equal(ErrorCode.InvalidTarget, refusal.Error);
        Assert.Contains("sb_theirs", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_limited_to_box_folders_uploads_new_files_there_only_and_no_new_versions()
    {
        var tenant = With(new TargetRules { BoxFolderIds = ["42"] });

        TargetPolicy.Check(tenant, new UploadTarget { FolderId = "42", FileName = "a.bin" });
        Assert.Equal(ErrorCode.InvalidTarget, Assert.Throws<GatewayException>(() => TargetPolicy.Check(tenant, new UploadTarget { FolderId = "7", FileName = "a.bin" })).Error);
        Assert.Equal(ErrorCode.InvalidTarget, Assert.Throws<GatewayException>(() => TargetPolicy.Check(tenant, new UploadTarget { FileId = "99" })).Error);
    }
}
