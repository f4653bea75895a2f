using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Sessions;
using Gateway.Tests.Support;
using TestSupport;

namespace Gateway.Tests.Backends;

/// <summary>What the backend adapter tests share: the adapter as the gateway built it, the mock's test surface.</summary>
internal static class BackendCalls
{
    public static IUploadBackend Backend(GatewayHarness system, string name) =>
        system.Gateway.GetRequiredService<BackendRegistry>().Get(name);

    public static Tenant Tenant(GatewayHarness system, string name = "acme") =>
        system.Gateway.GetRequiredService<TenantDirectory>().TryGet(name, out var tenant) ? tenant : throw new InvalidOperationException(name);

    public static string NewId() => "up_" + Guid.NewGuid().ToString("N")[..26];

    public static async Task FaultAsync(LoopbackApp mock, object rule)
    {
        using var http = mock.CreateClient();
        using var response = await http.PostAsJsonAsync("/_mock/faults", rule);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A latency-0 rule that fires on every match: its remaining count says how many requests the mock received.</summary>
    public static Task CountAsync(LoopbackApp mock, string method, string path) =>
        FaultAsync(mock, new { kind = "latency", method, path, latency_ms = 0, count = 1000 });

    public static async Task<int> CountedAsync(LoopbackApp mock)
    {
        using var http = mock.CreateClient();
        var rules = await http.GetFromJsonAsync<JsonElement>("/_mock/faults");
        return 1000 - rules.EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "latency").GetProperty("count").GetInt32();
    }

    /// <summary>A gateway session around a backend session, as the lifecycle would store it.</summary>
    public static UploadSession Session(string id, IUploadBackend backend, BackendSession created, long length) => new()
    {
        Id = id,
        Tenant = "acme",
        Backend = backend.Name,
        BackendType = backend.Rules.Type,
        Target = created.Target,
        Kind = "file",
        Conflict = "error",
        ContentLength = length,
        PartSize = created.PartSize,
        PartCount = created.PartCount,
        MaxConcurrency = 4,
        Limits = new SessionLimits(length, created.PartSize, 4, 0),
        BackendSession = created.Ref,
        QuotaScopes = [],
        Status = SessionStatus.Created,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
        ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
    };
}
