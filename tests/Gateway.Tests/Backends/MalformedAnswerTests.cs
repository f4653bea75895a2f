using System.Net.Http.Json;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Backends;

/// <summary>
/// A backend answer the gateway cannot use (a member missing) is <c>502 backend_error</c> naming the backend,
/// never a 500: the mocks leave the member out through their <c>omit</c> fault.
/// </summary>
public sealed class MalformedAnswerTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    private static async Task InjectAsync(LoopbackApp mock, object rule)
    {
        using var http = mock.CreateClient();
        using var response = await http.PostAsJsonAsync("/_mock/faults", rule);
        response.EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("sandbox", "part_size")]
    [InlineData("sandbox", "upload_id")]
    [InlineData("box", "total_parts")]
    [InlineData("box", "upload_part")]
    public async Task A_create_answer_without_a_field_is_a_backend_error_naming_the_backend(string backend, string field)
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        await InjectAsync(backend == "sandbox" ? system.Sandbox : system.Box, new { kind = "omit", method = "POST", field, count = 1 });

        using var response = backend == "sandbox"
            ? await client.CreateAsync(new { backend, target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/malformed.bin" }, content_length = 10 })
            : await client.CreateAsync(new { backend, target = new { folder_id = "0", file_name = "malformed.bin" }, content_length = 10 });

        var problem = await ExpectProblemAsync(response, 502, "backend_error");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"'{backend}'", detail, StringComparison.Ordinal);
        Assert.Contains(field, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_part_acknowledged_without_its_id_is_a_backend_error_and_is_not_counted()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 21);
        var id = (await client.CreateBoxFileAsync(file.Length, "ack.bin")).GetProperty("upload_id").GetString()!;
        await InjectAsync(system.Box, new { kind = "omit", method = "PUT", field = "part_id", count = 1 });

        var problem = await ExpectProblemAsync(await client.PutPartAsync(id, 1, Slice(file, 1, PartSize)), 502, "backend_error");

        Assert.Contains("'box'", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("parts_received").GetInt32());
    }

    [Fact]
    public async Task A_complete_answer_without_what_was_published_is_a_backend_error()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize, seed: 22);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/published.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await InjectAsync(system.Sandbox, new { kind = "omit", method = "POST", path = "/complete", field = "published_bytes", count = 1 });

        var problem = await ExpectProblemAsync(await client.CompleteAsync(id, new { }), 502, "backend_error");

        Assert.Contains("published_bytes", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }
}
