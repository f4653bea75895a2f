using System.Net;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Forwarding;

/// <summary>
/// Gateway:Forwarding:InlineScheduling, on a gateway process of its own (the runtime reads the socket scheduling once
/// per process): on, the socket engine runs one event thread per core, the runtime's sign that its completions run
/// inline; off, the runtime's default single event thread. Either way a multi-part upload lands byte-exact.
/// </summary>
public sealed class InlineSchedulingTests
{
    private const int PartSize = GatewayHarness.PartSize;

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public async Task A_gateway_process_schedules_as_configured_and_an_upload_through_it_lands_byte_exact(string? inline)
    {
        await using var system = await GatewayHarness.StartAsync();
        var settings = new Dictionary<string, string?>(system.GatewaySettings);
        if (inline is not null)
        {
            settings["Gateway:Forwarding:InlineScheduling"] = inline;
        }
        await using var gateway = await GatewayProcess.StartAsync(settings);
        using var client = new ContractClient(gateway.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(4 * PartSize + 99, seed: 71);

        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/inline.bin")).GetProperty("upload_id").GetString()!;
        await Task.WhenAll(Enumerable.Range(1, 5).Select(n => client.PutPartOkAsync(id, n, file, PartSize)));
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);

        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/inline.bin"));
        var eventThreads = Directory.EnumerateDirectories($"/proc/{gateway.ProcessId}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");
        Assert.Equal(inline is null ? Environment.ProcessorCount : 1, eventThreads);
    }

    [Fact]
    public async Task A_setting_that_is_not_a_boolean_stops_the_gateway_process_at_start_up_naming_it()
    {
        await using var system = await GatewayHarness.StartAsync();
        var settings = new Dictionary<string, string?>(system.GatewaySettings) { ["Gateway:Forwarding:InlineScheduling"] = "sometimes" };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(settings));

        Assert.Contains("Gateway:Forwarding:InlineScheduling", refused.Message, StringComparison.Ordinal);
    }
}
