using MockSandbox.Errors;
using MockSandbox.Paths;

namespace MockSandbox.Tests.Paths;

public sealed class SandboxPathsTests
{
    [Theory]
    [InlineData("/workspace/a/b.txt", null, "/workspace/a/b.txt")]
    [InlineData("/tmp/x", null, "/tmp/x")]
    [InlineData("/data/x", null, "/data/x")]
    [InlineData("/context/x", null, "/context/x")]
    [InlineData("a/b.txt", null, "/workspace/a/b.txt")]
    [InlineData("./a//b/./c", null, "/workspace/a/b/c")]
    [InlineData("a/../b", null, "/workspace/b")]
    [InlineData("/workspace/a/../b/", null, "/workspace/b")]
    [InlineData("notes.txt", "alice", "/home/alice/notes.txt")]
    [InlineData("/home/alice/notes.txt", "alice", "/home/alice/notes.txt")]
    [InlineData("/workspace/x", "alice", "/workspace/x")]
    [InlineData("/workspace", null, "/workspace")]
    [InlineData(".", null, "/workspace")]
    [InlineData("/workspace/.nullspaces", null, "/workspace/.nullspaces")]
    [InlineData("/tmp/.nullspace", null, "/tmp/.nullspace")]
    public void Valid_paths_resolve_to_a_normalized_absolute_path(string raw, string? user, string expected)
    {
        Assert.Equal(expected, SandboxPaths.Resolve(raw, user, "target_path").Value);
    }

    [Theory]
    [InlineData("", null, "empty")]
    [InlineData(null, null, "empty")]
    [InlineData("/workspace/a\0b", null, "nul_character")]
    [InlineData("../x", null, "escapes_root")]
    [InlineData("/workspace/../tmp/x", null, "escapes_root")]
    [InlineData("/workspace/a/../../x", null, "escapes_root")]
    [InlineData("/../workspace/x", null, "escapes_root")]
    [InlineData("../bob/x", "alice", "escapes_root")]
    [InlineData("/etc/passwd", null, "outside_roots")]
    [InlineData("/", null, "outside_roots")]
    [InlineData("/home/alice/x", null, "outside_roots")]
    [InlineData("/home/alice/x", "bob", "outside_roots")]
    [InlineData("/workspace/.nullspace", null, "reserved")]
    [InlineData("/workspace/.nullspace/config", null, "reserved")]
    [InlineData(".nullspace/x", null, "reserved")]
    [InlineData("/workspace/x/../.nullspace/y", null, "reserved")]
    public void Invalid_paths_are_refused_with_a_reason(string? raw, string? user, string reason)
    {
        var exception = Assert.Throws<SandboxApiException>(() => SandboxPaths.Resolve(raw, user, "target_path"));
        Assert.Equal(SandboxErrorCodes.InvalidFields, exception.Error.Code);
        Assert.Equal(400, exception.Error.Status);
        Assert.Equal(reason, exception.Error.Details!["fields"]![0]!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("0day")]
    public void A_user_that_is_not_a_linux_user_name_is_refused(string user)
    {
        var exception = Assert.Throws<SandboxApiException>(() => SandboxPaths.Resolve("x", user, "target_path"));
        Assert.Equal("user", exception.Error.Details!["fields"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public void Over_long_paths_and_names_are_refused()
    {
        Assert.Throws<SandboxApiException>(() => SandboxPaths.Resolve("/tmp/" + new string('a', 256), null, "path"));
        Assert.Throws<SandboxApiException>(() => SandboxPaths.Resolve("/tmp/" + string.Join('/', Enumerable.Repeat(new string('a', 100), 11)), null, "path"));
    }
}
