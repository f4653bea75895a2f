using System.Net;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Paths;

public sealed class PathRulesTests
{
    [Theory]
    [InlineData("../escape.txt", "escapes_root")]
    [InlineData("/workspace/a/../../etc/passwd", "escapes_root")]
    [InlineData("/workspace/a\u0000b", "nul_character")]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "outside_roots")]
    [InlineData("/workspace/.nullspace/state", "reserved")]
    public async Task A_target_path_breaking_the_path_rules_is_400_invalid_fields(string path, string reason)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.PostCreateAsync(SandboxMockHost.FileBody(10, path));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(("target_path", reason), ApiAssert.FirstField(error));
        Assert.Equal(0, await mock.ReservedBytesAsync());
    }

    [Fact]
    public async Task A_relative_path_resolves_from_workspace()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var session = await mock.CreateFileSessionAsync(0, "reports/../out/today.csv");
        Assert.Equal("/workspace/out/today.csv", session.GetProperty("target_path").GetString());
    }

    [Fact]
    public async Task A_relative_path_with_a_user_resolves_from_their_home_inside_the_sandbox_folder()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var body = SandboxMockHost.FileBody(0, "docs/notes.txt");
        body["user"] = "alice";
        using var response = await mock.UploadAsync(body, "hello alice"u8.ToArray());
        var session = (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).GetProperty("session");
        Assert.Equal("/home/alice/docs/notes.txt", session.GetProperty("target_path").GetString());

        var host = mock.HostPath("/home/alice/docs/notes.txt");
        Assert.StartsWith(mock.DataRoot + Path.DirectorySeparatorChar, host);
        Assert.Equal("hello alice", await File.ReadAllTextAsync(host));
        Assert.Equal("hello alice", await mock.ReadFileAsync("docs/notes.txt", "alice"));
        Assert.Equal("hello alice", await mock.ReadFileAsync("/home/alice/docs/notes.txt", "alice"));
    }

    [Fact]
    public async Task Each_root_maps_to_its_own_folder_of_the_sandbox()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        foreach (var root in new[] { "/workspace", "/tmp", "/data", "/context" })
        {
            await mock.PutFileAsync($"{root}/probe.txt", root);
            Assert.Equal(root, await File.ReadAllTextAsync(mock.HostPath($"{root}/probe.txt")));
        }
    }

    [Fact]
    public async Task The_file_endpoint_applies_the_same_rules_to_path()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var put = await mock.Client.PutAsync(SandboxMockHost.FileUrl("../../outside.txt"), new ByteArrayContent([1]));
        var error = await ApiAssert.ErrorAsync(put, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal(("path", "escapes_root"), ApiAssert.FirstField(error));
        using var get = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/workspace/.nullspace/x"));
        await ApiAssert.ErrorAsync(get, HttpStatusCode.BadRequest, "invalid_fields");
        using var missing = await mock.Client.GetAsync($"/v1/sandboxes/{SandboxMockHost.SandboxId}/file");
        await ApiAssert.ErrorAsync(missing, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.False(File.Exists(Path.Combine(mock.DataRoot, "..", "outside.txt")));
    }

    [Fact]
    public async Task A_directory_archive_may_target_a_users_home()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var tar = Tars.Build(w => w.File("a.txt", "A"));
        var body = SandboxMockHost.ArchiveBody(0, "project", "error");
        body["user"] = "bob";
        using var response = await mock.UploadAsync(body, tar);
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("A", await mock.ReadFileAsync("/home/bob/project/a.txt", "bob"));
        Assert.True(File.Exists(mock.HostPath("/home/bob/project/a.txt")));
    }
}
