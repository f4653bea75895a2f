using Microsoft.Extensions.Configuration;

namespace AppHost;

internal enum StoreKind
{
    /// <summary>The gateway's in-memory store: one replica, sessions end with it.</summary>
    Embedded,

    /// <summary>A <c>redis-server</c> from the PATH, run by the orchestrator.</summary>
    RedisServer,

    /// <summary>Aspire's Redis container (needs a container runtime and the image, pulled or local).</summary>
    Container,

    /// <summary>A Redis the user runs, named by <c>Gateway__Store__Redis</c>.</summary>
    External,
}

/// <summary>
/// Which store the gateway gets. <c>GATEWAY_STORE</c> is <c>auto</c> (the default: a <c>redis-server</c> on the PATH,
/// else the embedded store), <c>redis-server</c>, <c>container</c> or <c>embedded</c>; a <c>Gateway__Store__Redis</c>
/// connection string in the AppHost's environment wins over all of them, as it does for the gateway on its own.
/// </summary>
internal sealed record StoreChoice(StoreKind Kind, string? RedisServerPath, string? ExternalConnectionString)
{
    public const string Variable = "GATEWAY_STORE";

    /// <summary>What the store is, for a person: ./run prints it.</summary>
    public string Description => Kind switch
    {
        StoreKind.RedisServer => $"Redis ({RedisServerPath}, run by the AppHost), two gateway replicas behind one port",
        StoreKind.Container => "Redis (Aspire's container), two gateway replicas behind one port",
        StoreKind.External => "Redis at the address in Gateway__Store__Redis, two gateway replicas behind one port",
        _ => "the embedded in-memory store (no redis-server on the PATH), one gateway replica; sessions end with it",
    };

    public static StoreChoice From(IConfiguration configuration)
    {
        if (configuration["Gateway:Store:Redis"] is { Length: > 0 } external)
        {
            return new StoreChoice(StoreKind.External, null, external);
        }
        var asked = configuration[Variable];
        switch (string.IsNullOrWhiteSpace(asked) ? "auto" : asked.Trim())
        {
            case "auto":
                return Executables.Find("redis-server") is { } found
                    ? new StoreChoice(StoreKind.RedisServer, found, null)
                    : new StoreChoice(StoreKind.Embedded, null, null);
            case "redis-server":
                return new StoreChoice(StoreKind.RedisServer,
                    Executables.Find("redis-server") ?? throw new InvalidOperationException(
                        $"{Variable}=redis-server, but no redis-server is on the PATH (Debian: apt-get install redis-server)."),
                    null);
            case "container":
                return new StoreChoice(StoreKind.Container, null, null);
            case "embedded":
                return new StoreChoice(StoreKind.Embedded, null, null);
            case var other:
                throw new InvalidOperationException($"{Variable} must be auto, redis-server, container or embedded; it is '{other}'.");
        }
    }
}
