using Gateway.Auth;
using Gateway.Backends;

namespace Gateway.Tests.Support;

/// <summary>
/// One gateway for a class of routing tests (Api/Tus/TusRoutingTests, Api/Box/BoxRoutingTests), which only ask where
/// an upload would go: the backends it configures (sandbox and Box) and its tenant <c>acme</c>.
/// </summary>
public sealed class RoutingGateway : IAsyncLifetime
{
    private GatewayHarness _system = null!;

    internal BackendRegistry Backends { get; private set; } = null!;

    internal Tenant Acme { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync();
        Backends = _system.Gateway.GetRequiredService<BackendRegistry>();
        Acme = _system.Gateway.GetRequiredService<TenantDirectory>().TryGet("acme", out var acme) ? acme : throw new InvalidOperationException();
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();
}
