using Gateway.Hosting;
using Gateway.Tests.Support;
using Microsoft.Extensions.Options;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Auth;

/// <summary>
/// Issue 23, finding 3: tenants that share a backend credential are confined by default. A tenant without
/// target rules for a shared backend stops the gateway at start, named, unless it says <c>AnyTarget: true</c>;
/// with rules, one tenant cannot replace another's file or name a file owner outside its users.
/// </summary>
public sealed class SharedBackendTests
{
    private static void Confine(Dictionary<string, string?> s)
    {
        foreach (var tenant in new[] { "acme", "other" })
        {
            s.Remove($"Gateway:Tenants:{tenant}:AnyTarget");
            s[$"Gateway:Tenants:{tenant}:Targets:SandboxIds:0"] = GatewayHarness.SandboxId;
            s[$"Gateway:Tenants:{tenant}:Targets:PathPrefixes:0"] = $"/workspace/{tenant}";
            s[$"Gateway:Tenants:{tenant}:Targets:Users:0"] = "app";
            s[$"Gateway:Tenants:{tenant}:Targets:BoxFolderIds:0"] = tenant == "acme" ? "100" : "200";
        }
    }

    [Fact]
    public async Task A_tenant_without_rules_on_a_shared_backend_stops_the_gateway_at_start_named()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: Confine);
        // As the review found it: acme unrestricted beside a confined tenant.
        var settings = new Dictionary<string, string?>(system.GatewaySettings.Where(s => !s.Key.StartsWith("Gateway:Tenants:acme:Targets:", StringComparison.Ordinal)));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), settings));

        Assert.Contains("Gateway:Tenants:acme shares the credential of backend 'sandbox' with 'other'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Tenants:acme shares the credential of backend 'box' with 'other'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Gateway:Tenants:other shares", failure.Message, StringComparison.Ordinal);

        settings["Gateway:Tenants:acme:AnyTarget"] = "true";
        await using var onPurpose = await LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), settings);
    }

    [Fact]
    public async Task Confined_tenants_cannot_replace_each_others_files_nor_name_another_owner()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: Confine);
        using var acme = new ContractClient(system.Client());
        using var other = new ContractClient(system.Client(GatewayHarness.OtherKey));
        await acme.CreateSandboxFileAsync(10, "/workspace/acme/secret.txt");

        await ExpectProblemAsync(await other.CreateAsync(new
        {
            backend = "sandbox",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/acme/secret.txt" },
            content_length = 10,
            conflict = "replace",
        }), 422, "invalid_target");
        await ExpectProblemAsync(await other.CreateAsync(new
        {
            backend = "sandbox",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/other/mine.txt", user = "root" },
            content_length = 10,
        }), 422, "invalid_target");
        await ExpectProblemAsync(await other.CreateAsync(new { backend = "box", target = new { file_id = "12345" }, content_length = 10 }), 422, "invalid_target");
        await other.CreateOkAsync(new
        {
            backend = "sandbox",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/other/mine.txt", user = "app" },
            content_length = 10,
        });
    }
}
