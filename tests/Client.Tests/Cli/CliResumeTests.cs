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
    public async Task Ctrl_C_stops_an_upload_with_exit_130_and_the_command_that_resumes_it()
    {
        var file = system.NewFile(20L * GatewayHarness.PartSize, seed: 73);
        // 20 parts at 8 in flight, a second each: three rounds, so the interrupt after the first lands with two to go
        // even on a loaded machine (at 300 ms a CI run once saw the upload finish before the signal).
        await SystemFixture.InjectAsync(system.Harness.Sandbox, new { kind = "latency", method = "PUT", path = "/parts/", latency_ms = 1000 });
        using var client = system.Client();
        CliResult stopped;
        string id;
        try
        {
            using var upload = CliRun.StartProcess(Environment,
                "put", file, "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/resume/interrupted.bin", "--json");
            id = await UploadIdAsync(upload, fromStderr: true);
            await WaitForPartsAsync(client, id, atLeast: 2);
            upload.Interrupt();
            stopped = await upload.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await SystemFixture.ClearFaultsAsync(system.Harness.Sandbox);
        }

        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        var error = stopped.Json.GetProperty("error");
        Assert.Equal("interrupted", error.GetProperty("kind").GetString());
        Assert.Equal(id, error.GetProperty("upload_id").GetString());
        Assert.Equal($"upload resume {id} {file}", error.GetProperty("resume").GetString());
        Assert.NotEqual(UploadGateway.Client.UploadStatuses.Completed, (await client.GetUploadAsync(id)).Status);

        var resumed = await CliRun.ProcessAsync(Environment, "resume", id, file);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await system.AssertInSandboxAsync(file, "/workspace/resume/interrupted.bin");
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

    /// <summary>The id from the CLI's first line (on stderr with <c>--json</c>, whose stdout is one document).</summary>
    private static async Task<string> UploadIdAsync(CliProcess upload, bool fromStderr = false)
    {
        for (var i = 0; i < 600; i++)
        {
            var output = fromStderr ? upload.Stderr : upload.Stdout;
            var first = output.Split('\n').FirstOrDefault(l => l.StartsWith("upload up_", StringComparison.Ordinal));
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
