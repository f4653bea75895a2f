using Gateway.Api.Tus;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Tests.Support;

namespace Gateway.Tests.Api.Tus;

/// <summary>
/// <c>Api/Tus/TusRouting</c>: where a tus upload goes from its metadata and the tenant's defaults, against the
/// backends a gateway configures (sandbox and Box): each backend, an unknown one, one that cannot take the
/// request, the defaults, and hostile metadata, each refusal the precise 4xx naming the metadata key.
/// </summary>
public sealed class TusRoutingTests(RoutingGateway gateway) : IClassFixture<RoutingGateway>
{
    private readonly BackendRegistry _backends = gateway.Backends;
    private readonly Tenant _acme = gateway.Acme;

    [Fact]
    public void Sandbox_metadata_names_the_sandbox_and_the_file_by_directory_and_filename()
    {
        var create = Resolve(new() { ["backend"] = "sandbox", ["sandbox_id"] = "sb_test0001", ["directory"] = "/workspace/in", ["filename"] = "a.bin" });

        Assert.Equal("sandbox", create.Backend);
        Assert.Equal("/workspace/in/a.bin", KeysOf(create)["path"]);
        Assert.Equal("error", create.Conflict);
        Assert.Equal(123, create.ContentLength);
    }

    [Fact]
    public void Box_metadata_names_the_folder_and_uppys_name_stands_for_filename()
    {
        var create = Resolve(new() { ["backend"] = "box", ["folder_id"] = "0", ["name"] = "photo.jpg", ["conflict"] = "replace" });

        Assert.Equal("box", create.Backend);
        Assert.Equal("0", KeysOf(create)["folder_id"]);
        Assert.Equal("photo.jpg", KeysOf(create)["filename"]);
        Assert.Equal("replace", create.Conflict);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("SANDBOX")]
    public void An_unknown_backend_is_422_unknown_backend_naming_the_metadata_key(string backend)
    {
        var refusal = Assert.Throws<GatewayException>(() => Resolve(new() { ["backend"] = backend, ["filename"] = "a.bin" }));

        AssertRefusal(refusal, ErrorCode.UnknownBackend, 422, "backend");
    }

    [Fact]
    public void A_configured_backend_the_tenant_may_not_use_is_refused_as_unknown()
    {
        var refusal = Assert.Throws<GatewayException>(() =>
            Resolve(new() { ["backend"] = "box", ["folder_id"] = "0", ["filename"] = "a.bin" }, tenant: _acme with { Backends = ["sandbox"] }));

        AssertRefusal(refusal, ErrorCode.UnknownBackend, 422, "backend");
    }

    [Fact]
    public void A_backend_that_cannot_take_the_request_says_which_key_it_lacks()
    {
        // A Box folder id means nothing to a sandbox: it needs its sandbox and a path.
        var sandbox = Assert.Throws<GatewayException>(() => Resolve(new() { ["backend"] = "sandbox", ["folder_id"] = "0", ["filename"] = "a.bin" }));
        AssertRefusal(sandbox, ErrorCode.InvalidRequest, 400, "sandbox_id");

        var box = Assert.Throws<GatewayException>(() => Resolve(new() { ["backend"] = "box", ["sandbox_id"] = "sb_test0001", ["path"] = "/workspace/a.bin" }));
        Assert.Equal(400, box.Error.Status);
        Assert.NotNull(box.Extensions?["metadata_key"]);
    }

    [Fact]
    public void A_tenant_with_two_backends_and_no_default_must_name_one()
    {
        var refusal = Assert.Throws<GatewayException>(() => Resolve(new() { ["filename"] = "a.bin" }));

        AssertRefusal(refusal, ErrorCode.InvalidRequest, 400, "backend");
    }

    [Fact]
    public void The_tenants_defaults_fill_what_the_metadata_leaves_out_and_the_metadata_wins()
    {
        var defaults = new TusDefaults
        {
            Backend = "sandbox",
            Target = new(StringComparer.OrdinalIgnoreCase) { ["Sandbox_Id"] = "sb_test0001", ["directory"] = "/workspace/default" },
            Conflict = "replace",
        };

        var fromDefaults = Resolve(new() { ["filename"] = "a.bin" }, defaults);
        var overridden = Resolve(new() { ["filename"] = "b.bin", ["directory"] = "/workspace/mine", ["conflict"] = "error" }, defaults);

        Assert.Equal(("sandbox", "/workspace/default/a.bin", "replace"), (fromDefaults.Backend, KeysOf(fromDefaults)["path"], fromDefaults.Conflict));
        Assert.Equal(("/workspace/mine/b.bin", "error"), (KeysOf(overridden)["path"], overridden.Conflict));
    }

    [Fact]
    public void Defaults_of_another_backend_do_not_apply_to_the_one_the_metadata_names()
    {
        var defaults = new TusDefaults { Backend = "sandbox", Target = new(StringComparer.OrdinalIgnoreCase) { ["sandbox_id"] = "sb_test0001", ["directory"] = "/workspace/d" }, Conflict = "replace" };

        var create = Resolve(new() { ["backend"] = "box", ["folder_id"] = "0", ["filename"] = "a.bin" }, defaults);

        Assert.Equal(("box", "error"), (create.Backend, create.Conflict));
        Assert.False(KeysOf(create).ContainsKey("sandbox_id"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../../etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("evil\u0001name")]
    public void A_filename_that_is_not_a_plain_name_is_400_naming_filename(string filename)
    {
        var refusal = Assert.Throws<GatewayException>(() =>
            Resolve(new() { ["backend"] = "sandbox", ["sandbox_id"] = "sb_test0001", ["directory"] = "/workspace", ["filename"] = filename }));

        AssertRefusal(refusal, ErrorCode.InvalidRequest, 400, "filename");
    }

    [Fact]
    public void A_conflict_rule_that_does_not_exist_is_400_naming_conflict()
    {
        var refusal = Assert.Throws<GatewayException>(() =>
            Resolve(new() { ["backend"] = "sandbox", ["sandbox_id"] = "sb_test0001", ["path"] = "/workspace/a.bin", ["conflict"] = "overwrite" }));

        AssertRefusal(refusal, ErrorCode.InvalidRequest, 400, "conflict");
    }

    [Fact]
    public void A_huge_backend_name_is_refused_without_echoing_it_whole()
    {
        var name = new string('x', 100_000);

        var refusal = Assert.Throws<GatewayException>(() => Resolve(new() { ["backend"] = name }));

        AssertRefusal(refusal, ErrorCode.UnknownBackend, 422, "backend");
        Assert.True(refusal.Message.Length < 200, refusal.Message.Length.ToString());
    }

    private Gateway.Uploads.CreateUpload Resolve(Dictionary<string, string> metadata, TusDefaults? defaults = null, Tenant? tenant = null) =>
        TusRouting.Resolve(tenant ?? _acme, metadata, defaults, _backends, 123);

    private IReadOnlyDictionary<string, string> KeysOf(Gateway.Uploads.CreateUpload create) =>
        _backends.Get(create.Backend).Targets.KeysOf(create.Target!);

    private static void AssertRefusal(GatewayException refusal, ErrorCode code, int status, string metadataKey)
    {
        Assert.Equal((code.Code, status), (refusal.Error.Code, refusal.Error.Status));
        Assert.Equal(metadataKey, refusal.Extensions?["metadata_key"]);
    }
}
