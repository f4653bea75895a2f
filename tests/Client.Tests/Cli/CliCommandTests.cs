using System.Text.Json;
using Client.Tests.Support;
using Gateway.Tests.Support;
using UploadGateway.Client;

namespace Client.Tests.Cli;

/// <summary>
/// The control-plane commands and the exit codes, run in this process (same code as the executable, without
/// process start-up) against the real gateway. The environment is the test's own dictionary.
/// </summary>
public sealed class CliCommandTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    private Dictionary<string, string?> Environment => new()
    {
        ["GATEWAY_URL"] = system.GatewayUrl.ToString(),
        ["GATEWAY_API_KEY"] = GatewayHarness.AcmeKey,
    };

    [Fact]
    public async Task Backends_lists_both_backends_with_their_rules()
    {
        var result = await CliRun.InProcessAsync(Environment, "backends", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var backends = result.Json.GetProperty("backends").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!);
        Assert.Equal(["box", "sandbox"], backends.Keys.Order());
        Assert.Equal(["sha1"], backends["box"].GetProperty("checksums_required").GetProperty("complete").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("directory_tar", backends["sandbox"].GetProperty("kinds").EnumerateArray().Select(e => e.GetString()));

        var text = await CliRun.InProcessAsync(Environment, "backends");
        Assert.Contains("--sandbox --path [--user]", text.Stdout);
        Assert.Contains("--folder --name | --file-id", text.Stdout);
    }

    [Fact]
    public async Task Status_of_a_partial_upload_shows_its_missing_parts()
    {
        using var client = system.Client();
        var session = await NewSandboxSessionAsync(client, "/workspace/cmd/partial.bin", 3 * GatewayHarness.PartSize);
        await client.PutPartAsync(session.UploadId, 2, new byte[GatewayHarness.PartSize]);

        var json = await CliRun.InProcessAsync(Environment, "status", session.UploadId, "--json");
        var text = await CliRun.InProcessAsync(Environment, "status", session.UploadId);

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("1,3", json.Json.GetProperty("missing_parts").GetString());
        Assert.Equal(1, json.Json.GetProperty("next_part").GetInt32());
        Assert.Contains("missing", text.Stdout);
        Assert.Contains("1,3", text.Stdout);
        Assert.Contains("1 of 3 received", text.Stdout);
    }

    [Fact]
    public async Task Ls_lists_the_newest_upload_first()
    {
        using var client = system.Client();
        await NewSandboxSessionAsync(client, "/workspace/cmd/older.bin", 10);
        var newest = await NewSandboxSessionAsync(client, "/workspace/cmd/newer.bin", 10);

        var result = await CliRun.InProcessAsync(Environment, "ls", "--status", "created", "--json");
        var text = await CliRun.InProcessAsync(Environment, "ls", "-n", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(newest.UploadId, result.Json.GetProperty("uploads")[0].GetProperty("upload_id").GetString());
        Assert.Contains(newest.UploadId, text.Stdout);
        Assert.Contains("more: upload ls --cursor ", text.Stdout);
    }

    [Fact]
    public async Task Abort_ends_an_upload_and_a_second_abort_is_harmless()
    {
        using var client = system.Client();
        var session = await NewSandboxSessionAsync(client, "/workspace/cmd/aborted.bin", 10);

        var first = await CliRun.InProcessAsync(Environment, "abort", session.UploadId, "--json");
        var second = await CliRun.InProcessAsync(Environment, "abort", session.UploadId);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("aborted", first.Json.GetProperty("status").GetString());
        Assert.Equal(0, second.ExitCode);
        Assert.Equal($"aborted {session.UploadId}", second.Stdout.Trim());
        Assert.Equal(UploadStatuses.Aborted, (await client.GetUploadAsync(session.UploadId)).Status);
    }

    [Fact]
    public async Task Flags_override_the_environment()
    {
        var wrong = new Dictionary<string, string?> { ["GATEWAY_URL"] = "http://127.0.0.1:1", ["GATEWAY_API_KEY"] = "wrong-key" };

        var result = await CliRun.InProcessAsync(wrong, "backends", "--url", system.GatewayUrl.ToString(), "--api-key", GatewayHarness.AcmeKey);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task A_wrong_api_key_exits_3_unauthorized()
    {
        var result = await CliRun.InProcessAsync(new() { ["GATEWAY_URL"] = system.GatewayUrl.ToString(), ["GATEWAY_API_KEY"] = "not-a-key" }, "ls", "--json");

        AssertError(result, 3, "unauthorized", "unauthorized");
    }

    [Fact]
    public async Task Status_of_an_unknown_upload_exits_4_not_found()
    {
        var result = await CliRun.InProcessAsync(Environment, "status", "up_doesnotexist", "--json");

        AssertError(result, 4, "not_found", "not_found");
    }

    [Fact]
    public async Task Put_to_an_unknown_backend_exits_5_rejected()
    {
        var file = system.NewFile(10);

        var result = await CliRun.InProcessAsync(Environment, "put", file, "--backend", "nowhere", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/x", "--json");

        AssertError(result, 5, "rejected", "unknown_backend");
    }

    [Fact]
    public async Task Put_onto_an_existing_file_with_conflict_error_exits_6_conflict()
    {
        var file = system.NewFile(1000);
        string[] put = ["put", file, "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/cmd/exists.bin"];
        Assert.Equal(0, (await CliRun.InProcessAsync(Environment, put)).ExitCode);

        var again = await CliRun.InProcessAsync(Environment, [.. put, "--json"]);
        var replaced = await CliRun.InProcessAsync(Environment, [.. put, "--conflict", "replace"]);

        AssertError(again, 6, "conflict", "conflict");
        // The sandbox finds the target at complete and keeps the upload staged: it can still be finished or aborted.
        var id = again.Json.GetProperty("error").GetProperty("upload_id").GetString();
        Assert.Equal($"upload resume {id} {file}", again.Json.GetProperty("error").GetProperty("resume").GetString());
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
    }

    [Fact]
    public async Task An_unreachable_gateway_exits_7_unavailable()
    {
        var nobody = new Dictionary<string, string?> { ["GATEWAY_URL"] = $"http://127.0.0.1:{TestSupport.RedisServer.FreePort()}", ["GATEWAY_API_KEY"] = "k" };

        var result = await CliRun.InProcessAsync(nobody, "backends", "--retries", "0", "--json");

        Assert.Equal(7, result.ExitCode);
        Assert.Equal("unavailable", result.Json.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_missing_file_exits_8_local_content()
    {
        var result = await CliRun.InProcessAsync(Environment, "put", "/nonexistent/file.bin", "--backend", "sandbox", "--sandbox", GatewayHarness.SandboxId, "--path", "/workspace/x", "--json");

        Assert.Equal(8, result.ExitCode);
        Assert.Equal("local_content", result.Json.GetProperty("error").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("put", "FILE", "--backend", "sandbox")]
    [InlineData("put", "FILE", "--backend", "sandbox", "--sandbox", "sb_test0001")]
    [InlineData("put", "FILE", "--backend", "box", "--sandbox", "sb_test0001", "--path", "/workspace/x", "--folder", "0")]
    [InlineData("put", "FILE", "--sandbox", "sb_test0001", "--path", "/workspace/x")]
    [InlineData("put", "FILE", "--backend", "sandbox", "--sandbox", "sb_test0001", "--path", "/x", "--conflict", "overwrite")]
    [InlineData("resume", "up_x")]
    [InlineData("frobnicate")]
    public async Task A_command_line_that_cannot_work_exits_2_usage_before_calling_the_gateway(params string[] args)
    {
        var file = system.NewFile(10);
        // No gateway at this address: a usage error must not get as far as connecting.
        var nobody = new Dictionary<string, string?> { ["GATEWAY_URL"] = "http://127.0.0.1:1", ["GATEWAY_API_KEY"] = "k" };

        var result = await CliRun.InProcessAsync(nobody, [.. args.Select(a => a == "FILE" ? file : a)]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.NotEqual("", result.Stderr);
    }

    [Fact]
    public async Task No_api_key_anywhere_exits_2_usage_and_says_which_variable_to_set()
    {
        var result = await CliRun.InProcessAsync(new() { ["GATEWAY_URL"] = system.GatewayUrl.ToString() }, "ls");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("GATEWAY_API_KEY", result.Stderr);
    }

    private static void AssertError(CliResult result, int exitCode, string kind, string code)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var error = result.Json.GetProperty("error");
        Assert.Equal(exitCode, error.GetProperty("exit_code").GetInt32());
        Assert.Equal(kind, error.GetProperty("kind").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    private static Task<UploadSession> NewSandboxSessionAsync(GatewayClient client, string path, long length) =>
        client.CreateUploadAsync(new()
        {
            Backend = "sandbox",
            Target = UploadTarget.Sandbox(GatewayHarness.SandboxId, path),
            ContentLength = length,
        });
}
