using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Gateway.Forwarding;

/// <summary>
/// <c>Gateway:Forwarding:InlineScheduling</c> (default true): request code runs on the thread that took the socket
/// event, as an event-loop proxy's does, instead of being handed from the socket engine's thread to the thread pool,
/// to Kestrel's I/O queue, to the part's copy loop. That is the runtime's inline socket completions
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, which also gives the socket engine one event thread per
/// core) with Kestrel's <see cref="SocketTransportOptions.UnsafePreferInlineScheduling"/>, the pair the ASP.NET
/// benchmarks run.
/// </summary>
/// <remarks>
/// Measured on the part path (docs/BENCHMARKS.md, History, "Issue 27 and 24 on a quiet machine"): context switches
/// per MiB 16 → 8 with the .NET client, 26 → 8 with curl, 103 → 25 with 8 KiB writes, and 5-21% less CPU per GiB.
/// Kestrel calls it unsafe because request code that blocks a thread then blocks every connection of that event
/// thread: the gateway's request paths are asynchronous throughout (Redis, backends, hooks, files through the thread
/// pool); what they do synchronously is CPU work on bytes in hand (hashing, JSON) and file metadata calls.
/// The runtime reads the variable once, when the process's first socket is made, so it is set by the gateway's entry
/// point (<see cref="ApplyToProcess"/>) before anything connects, and Kestrel follows it only when it took effect:
/// a gateway hosted in another process (the tests) keeps that process's scheduling.
/// </remarks>
internal static class InlineScheduling
{
    public const string SocketsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private const string Key = ForwardingOptions.Section + ":InlineScheduling";

    /// <summary>Turns the runtime's inline socket completions on for this process, unless configured off or set already.</summary>
    public static void ApplyToProcess(IConfiguration configuration)
    {
        if (Enabled(configuration) && Environment.GetEnvironmentVariable(SocketsVariable) is null)
        {
            Environment.SetEnvironmentVariable(SocketsVariable, "1");
        }
    }

    /// <summary>Kestrel schedules inline exactly when the sockets complete inline, and the setting allows it.</summary>
    public static void Configure(SocketTransportOptions sockets, IConfiguration configuration) =>
        sockets.UnsafePreferInlineScheduling = Enabled(configuration) && Environment.GetEnvironmentVariable(SocketsVariable) == "1";

    private static bool Enabled(IConfiguration configuration) => configuration.GetValue(Key, defaultValue: true);
}
