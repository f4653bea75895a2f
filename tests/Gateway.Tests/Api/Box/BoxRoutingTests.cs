using Gateway.Api.Box;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Tests.Support;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Api.Box;

/// <summary>
/// <c>Api/Box/BoxRouting</c>: where a Box-front upload goes, against the backends a gateway configures (sandbox and
/// Box): the default backend, a folder routed to each backend, an unknown backend, one that cannot take the request
/// (a new version on a sandbox), the tenant's defaults, and hostile names, each refusal Box's own status and code.
/// </summary>
public sealed class BoxRoutingTests(RoutingGateway gateway) : IClassFixture<RoutingGateway>
{
    private readonly BackendRegistry _backends = gateway.Backends;
    private readonly Tenant _acme = gateway.Acme;

    [Fact]
    public void Without_routes_a_new_file_goes_to_the_tenants_first_backend_that_keeps_box_folders()
    {
        var route = Routing().ForNewFile(_acme, "12345", "a.bin");

        Assert.Equal("box", route.Backend);
        Assert.Equal(("12345", "a.bin"), (KeysOf(route)["folder_id"], KeysOf(route)["filename"]));
    }

    [Fact]
    public void A_folder_routed_to_the_sandbox_lands_in_the_routes_directory_by_the_files_name()
    {
        var routing = Routing(new BoxFrontOptions { Folders = { ["777"] = SandboxRoute("/workspace/box-777") } });

        var route = routing.ForNewFile(_acme, "777", "report.pdf");
        var other = routing.ForNewFile(_acme, "778", "report.pdf");

        Assert.Equal(("sandbox", "/workspace/box-777/report.pdf"), (route.Backend, KeysOf(route)["path"]));
        Assert.Equal("box", other.Backend);
    }

    [Fact]
    public void The_tenants_box_front_backend_takes_every_folder_not_routed()
    {
        var routing = Routing(new BoxFrontOptions { Backend = "box", Folders = { ["777"] = SandboxRoute("/workspace/x") } });

        Assert.Equal("box", routing.ForNewFile(_acme, "1", "a.bin").Backend);
        Assert.Equal("box", routing.ForNewVersion(_acme, "999", "a.bin").Backend);
        Assert.Equal("999", KeysOf(routing.ForNewVersion(_acme, "999", null))["file_id"]);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("box")]
    public void A_folder_routed_to_a_backend_the_tenant_cannot_use_is_404_invalid_parameter(string backend)
    {
        var routing = Routing(new BoxFrontOptions { Folders = { ["777"] = new BoxFolderRoute { Backend = backend } } });

        var refusal = Assert.Throws<BoxError>(() => routing.ForNewFile(_acme with { Backends = ["sandbox"] }, "777", "a.bin"));

        Assert.Equal((404, "invalid_parameter"), (refusal.Status, refusal.Code));
    }

    [Fact]
    public void A_new_version_on_a_backend_that_keeps_no_box_file_ids_is_404_not_found()
    {
        var routing = Routing(new BoxFrontOptions { Backend = "sandbox" });

        var refusal = Assert.Throws<BoxError>(() => routing.ForNewVersion(_acme, "999", "a.bin"));

        Assert.Equal((404, "not_found"), (refusal.Status, refusal.Code));
        Assert.Contains("sandbox", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_with_no_backend_that_keeps_box_folders_is_404_for_a_folder_not_routed()
    {
        var refusal = Assert.Throws<BoxError>(() => Routing().ForNewFile(_acme with { Backends = ["sandbox"] }, "1", "a.bin"));

        Assert.Equal((404, "invalid_parameter"), (refusal.Status, refusal.Code));
    }

    [Fact]
    public void A_route_whose_target_the_backend_cannot_build_is_a_box_error_not_a_500()
    {
        // The route forgot the sandbox: the sandbox cannot build a target from a Box folder id alone.
        var routing = Routing(new BoxFrontOptions { Folders = { ["777"] = new BoxFolderRoute { Backend = "sandbox" } } });

        var refusal = Assert.Throws<BoxError>(() => routing.ForNewFile(_acme, "777", "a.bin"));

        Assert.InRange(refusal.Status, 400, 499);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("bell\u0007")]
    public void A_name_the_routed_backend_refuses_is_400_item_name_invalid(string name)
    {
        var routing = Routing(new BoxFrontOptions { Folders = { ["777"] = SandboxRoute("/workspace/x") } });

        var refusal = Assert.Throws<BoxError>(() => routing.ForNewFile(_acme, "777", name));

        Assert.Equal((400, "item_name_invalid"), (refusal.Status, refusal.Code));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("trailing ")]
    [InlineData("c1\u0085control")]
    public void A_name_box_refuses_is_400_item_name_invalid_on_the_box_backend_too(string name)
    {
        var refusal = Assert.Throws<BoxError>(() => Routing().ForNewFile(_acme, "1", name));

        Assert.Equal((400, "item_name_invalid"), (refusal.Status, refusal.Code));
    }

    private BoxRouting Routing(BoxFrontOptions? options = null)
    {
        var catalog = new BoxFrontCatalogOptions();
        if (options is not null)
        {
            catalog.Tenants["acme"] = new BoxFrontTenant { Backends = ["sandbox", "box"], BoxFront = options };
        }
        return new BoxRouting(Options.Create(catalog), _backends);
    }

    private static BoxFolderRoute SandboxRoute(string directory) =>
        new() { Backend = "sandbox", Target = new(StringComparer.OrdinalIgnoreCase) { ["sandbox_id"] = GatewayHarness.SandboxId, ["directory"] = directory } };

    private IReadOnlyDictionary<string, string> KeysOf(BoxRoute route) => _backends.Get(route.Backend).Targets.KeysOf(route.Target);
}
