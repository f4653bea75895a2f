using System.Net;
using System.Net.Http.Json;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Telemetry;

/// <summary>
/// /healthz and /readyz, for an orchestrator (service-defaults): answered without a credential and before any
/// injected fault, and not part of the backend's API otherwise (no other method).
/// </summary>
public sealed class HealthEndpointsTests
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task A_health_probe_needs_no_credential_and_skips_injected_faults(string path)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        (await mock.Client.PostAsJsonAsync("/_mock/faults", new { kind = "error", status = 503 })).EnsureSuccessStatusCode();
        using var anonymous = new HttpClient { BaseAddress = mock.Client.BaseAddress };

        using var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("{\"status\":\"ok\"", await response.Content.ReadAsStringAsync());
    }
}
