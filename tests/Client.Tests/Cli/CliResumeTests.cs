using Client.Tests.Support;
using Gateway.Tests.Support;

namespace Client.Tests.Cli;

/// <summary>
/// An upload whose CLI process dies midway (SIGKILL: no cleanup, connections cut) and is continued with
/// <c>upload resume</c>. The gateway runs in this test process with the embedded store, so its state
/// outlives the CLI, as it would outlive a client machine that crashed.
/// </summary>
public sealed class CliResumeTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    private const long SixtyMiB = 60L * 1024 * 1024;

    private Dictionary<string, string?> Environment => new()
    {
        ["GATEWAY_URL"] = system.GatewayUrl.ToString(),
        ["GATEWAY_API_KEY"] = GatewayHarness.AcmeKey,
    };

    [Fact]
    public async Task A_killed_upload_is_finished_by_upload_resume_and_lands_byte_exact()
    {
        var file = system.NewFile(SixtyMiB, seed: 70);
        // Slow parts down so that the process is surely killed midway: 60 parts at 4 in flight take seconds, not milliseconds.
        await SystemFixture.InjectAsync(system.Harness.Sandbox, new { kind = "latency", method = "PUT", path = "/parts/", latency_ms = 150 });
        string id;
        using var client = system.Client();
        try
        {
            using var upload = CliRun.StartProcess(Environment,
                "put", file, "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/resume/sixty.bin");
            id = await UploadIdAsync(upload);
            var before = await WaitForPartsAsync(client, id, atLeast: 8);
            upload.Kill();
            Assert.True(before.PartsReceived < before.PartCount, "The upload finished before it could be killed.");
        }
        finally
        {
            await SystemFixture.ClearFaultsAsync(system.Harness.Sandbox);
        }
        var killed = await client.GetUploadAsync(id);
        Assert.Contains(killed.Status, new[] { "uploading", "created" });
        Assert.NotEqual("", killed.MissingParts);

        var resumed = await CliRun.ProcessAsync(Environment, "resume", id, file, "--json");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var completed = resumed.Json;
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(60, completed.GetProperty("parts_received").GetInt32());
        await system.AssertInSandboxAsync(file, "/workspace/resume/sixty.bin");
    }

    [Fact]
    public async Task Resume_with_another_file_of_the_same_size_is_refused_and_changes_nothing()
    {
        var file = system.NewFile(4 * 1024 * 1024, seed: 71);
        var other = system.NewFile(4 * 1024 * 1024, seed: 72);
        using var client = system.Client();
        var session = await client.CreateUploadAsync(new()
        {
            Backend = "sandbox",
            Target = new() { SandboxId = GatewayHarness.SandboxId, Path = "/workspace/resume/other.bin" },
            ContentLength = 4 * 1024 * 1024,
        });
        await client.PutPartAsync(session.UploadId, 2, (await File.ReadAllBytesAsync(file)).AsMemory(1024 * 1024, 1024 * 1024));

        var result = await CliRun.ProcessAsync(Environment, "resume", session.UploadId, other, "--json");

        Assert.Equal(8, result.ExitCode);
        var error = result.Json.GetProperty("error");
        Assert.Equal("local_content", error.GetProperty("kind").GetString());
        Assert.Contains("Part 2", error.GetProperty("message").GetString());
        var after = await client.GetUploadAsync(session.UploadId);
        Assert.Equal(1, after.PartsReceived);
    }

    private static async Task<string> UploadIdAsync(CliProcess upload)
    {
        for (var i = 0; i < 600; i++)
        {
            var first = upload.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("upload up_", StringComparison.Ordinal));
            if (first is not null)
            {
                return first.Split(' ')[1].TrimEnd(':');
            }
            Assert.False(upload.HasExited, "upload exited before it created the session:\n" + upload.Stdout);
            await Task.Delay(50);
        }
        throw new TimeoutException("upload printed no upload id within 30 s:\n" + upload.Stdout);
    }

    private static async Task<UploadGateway.Client.UploadSession> WaitForPartsAsync(UploadGateway.Client.GatewayClient client, string id, int atLeast)
    {
        for (var i = 0; i < 600; i++)
        {
            var session = await client.GetUploadAsync(id);
            if (session.PartsReceived >= atLeast)
            {
                return session;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Upload {id} did not reach {atLeast} parts within 30 s.");
    }
}
