using System.Text.Json;
using Client.Tests.Support;
using Gateway.Tests.Support;

namespace Client.Tests.Cli;

/// <summary>
/// The <c>upload</c> CLI as a user runs it: its own process, configured through the environment, against the
/// real gateway and both mocks; what landed is read back from the mocks and compared byte for byte.
/// </summary>
public sealed class CliUploadTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    private const long SixtyMiB = 60L * 1024 * 1024;

    private Dictionary<string, string?> Environment => new()
    {
        ["GATEWAY_URL"] = system.GatewayUrl.ToString(),
        ["GATEWAY_API_KEY"] = GatewayHarness.AcmeKey,
    };

    [Fact]
    public async Task A_60_MiB_file_put_to_the_sandbox_lands_byte_exact()
    {
        var file = system.NewFile(SixtyMiB, seed: 60);

        var result = await CliRun.ProcessAsync(Environment,
            "put", file, "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/cli/sixty.bin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var session = result.Json;
        Assert.Equal("completed", session.GetProperty("status").GetString());
        Assert.Equal(SixtyMiB, session.GetProperty("result").GetProperty("size").GetInt64());
        Assert.Equal(60, session.GetProperty("part_count").GetInt32());
        await system.AssertInSandboxAsync(file, "/workspace/cli/sixty.bin");
    }

    [Fact]
    public async Task A_60_MiB_file_put_to_box_lands_byte_exact_with_its_sha1()
    {
        var file = system.NewFile(SixtyMiB, seed: 61);

        var result = await CliRun.ProcessAsync(Environment, "put", file, "--backend", "box", "--folder", "0", "--name", "sixty-cli.bin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var landed = result.Json.GetProperty("result");
        Assert.Equal(SystemFixture.Sha1Hex(file), landed.GetProperty("sha1").GetString());
        await system.AssertInBoxAsync(file, landed.GetProperty("file_id").GetString()!);
    }

    [Fact]
    public async Task A_directory_put_to_the_sandbox_unpacks_every_file_byte_exact()
    {
        var directory = system.NewDirectory();
        var files = new Dictionary<string, long>
        {
            ["top.bin"] = 3 * 1024 * 1024 + 17,
            ["empty.txt"] = 0,
            ["nested/deeper/data.bin"] = 2 * 1024 * 1024,
            ["nested/notes with spaces.txt"] = 1000,
            ["nested/ünïcødé.bin"] = 4096,
        };
        var seed = 1;
        foreach (var (relative, length) in files)
        {
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            SystemFixture.WriteFile(path, length, seed++);
        }
        Directory.CreateDirectory(Path.Combine(directory, "empty-dir"));

        var result = await CliRun.ProcessAsync(Environment,
            "put", directory, "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/cli/tree", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var session = result.Json;
        Assert.Equal("directory_tar", session.GetProperty("kind").GetString());
        Assert.Equal(files.Count, session.GetProperty("result").GetProperty("file_count").GetInt32());
        Assert.Equal(files.Values.Sum(), session.GetProperty("result").GetProperty("size").GetInt64());
        foreach (var relative in files.Keys)
        {
            await system.AssertInSandboxAsync(Path.Combine(directory, relative), "/workspace/cli/tree/" + relative);
        }
    }

    [Fact]
    public async Task Plain_output_names_the_upload_shows_progress_lines_and_says_where_it_landed()
    {
        var file = system.NewFile(8 * 1024 * 1024, seed: 62);

        var result = await CliRun.ProcessAsync(Environment,
            "put", file, "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/cli/plain.bin");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("upload up_", lines[0]);
        var id = lines[0].Split(' ')[1].TrimEnd(':');
        Assert.Equal($"resume with: upload resume {id} {file}", lines[1]);
        Assert.Contains(lines, l => l.StartsWith(id + " ", StringComparison.Ordinal) && l.Contains("parts ", StringComparison.Ordinal));
        Assert.Equal($"completed {id}: {GatewayHarness.SandboxId}:/workspace/cli/plain.bin, {8 * 1024 * 1024} bytes", lines[^1]);
        // Redirected output gets no terminal control sequences.
        Assert.DoesNotContain('\u001b', result.Stdout);
    }
}
