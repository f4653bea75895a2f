using Gateway.Backends;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Support;

/// <summary>A backend's build context for tests that need a backend's rules or targets but never call it (no HTTP).</summary>
internal static class BackendContexts
{
    public static BackendContext Offline(string name, string type, BackendOptions? options = null) =>
        new(name, type, options ?? new BackendOptions { Type = type }, new ConfigurationBuilder().Build().GetSection("none"), null!);
}
