using System.Formats.Tar;
using System.Net;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Publishing;

public sealed class HostileArchiveTests
{
    /// <summary>Each archive starts with a harmless file, so "nothing published" is visible.</summary>
    public static TheoryData<string> Attacks => [.. s_attacks.Keys];

    private static readonly Dictionary<string, Action<TarWriter>> s_attacks = new()
    {
        ["traversal"] = w => w.File("../escaped.txt", "escaped"),
        ["nested traversal"] = w => w.File("sub/../../escaped.txt", "escaped"),
        ["absolute path"] = w => w.File("/tmp/escaped.txt", "escaped"),
        ["symlink to an absolute path outside"] = w => w.Symlink("link", "/etc"),
        ["symlink climbing out"] = w => w.Symlink("link", "../../escaped"),
        ["symlink to a sibling of the target"] = w => w.Symlink("link", "/workspace/other"),
        ["write through a symlink"] = w =>
        {
            w.Symlink("inside", "sub");
            w.File("inside/escaped.txt", "escaped");
        },
        ["hardlink climbing out"] = w => w.Hardlink("hard", "../../keep.txt"),
        ["hardlink to an absolute path"] = w => w.Hardlink("hard", "/etc/passwd"),
        ["hardlink to a file not in the archive"] = w => w.Hardlink("hard", "keep.txt"),
        ["character device"] = w => w.Special(TarEntryType.CharacterDevice, "null"),
        ["block device"] = w => w.Special(TarEntryType.BlockDevice, "sda"),
        ["fifo"] = w => w.Special(TarEntryType.Fifo, "pipe"),
        ["reserved path"] = w => w.File(".nullspace/escaped.txt", "escaped"),
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_hostile_archive_fails_the_session_and_publishes_nothing(string attack)
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/project/keep.txt", "kept");
        var tar = Tars.Build(w =>
        {
            w.File("harmless.txt", "harmless");
            s_attacks[attack](w);
        });
        var target = attack == "reserved path" ? "/workspace" : "/workspace/project";

        var id = await mock.StageAsync(SandboxMockHost.ArchiveBody(0, target, "replace"), tar);
        using var response = await mock.PostCompleteAsync(id);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("unsafe_archive", error.GetProperty("details").GetProperty("reason").GetString());

        var session = await mock.GetStatusAsync(id);
        Assert.Equal("failed", session.Status());
        Assert.Equal(0, session.Long("reserved_staging_bytes"));
        Assert.Equal(0, await mock.ReservedBytesAsync());

        // The target is as it was, nothing of the archive landed anywhere, and staging is gone.
        Assert.Equal("kept", await mock.ReadFileAsync("/workspace/project/keep.txt"));
        Assert.Null(await mock.ReadFileAsync($"{target}/harmless.txt"));
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(mock.HostPath("/workspace/project")).Select(Path.GetFileName));
        Assert.Equal(["project"], Directory.EnumerateFileSystemEntries(mock.HostPath("/workspace")).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFileSystemEntries(mock.HostPath("/tmp")));
        Assert.False(File.Exists("/tmp/escaped.txt"));
        Assert.False(Directory.Exists(mock.StagingPath(id)));
    }

    [Fact]
    public async Task Bytes_that_are_not_a_tar_archive_fail_the_session()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var garbage = TestData.Bytes(80, 0, 2048);
        garbage[0] = (byte)'x'; // no chance of an all-zero end-of-archive block
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "error"), garbage);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Null(await mock.ReadFileAsync("/workspace/project"));
        Assert.False(Directory.Exists(mock.HostPath("/workspace/project")));
    }

    [Fact]
    public async Task Hard_links_cannot_expand_an_archive_beyond_max_upload_bytes()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:MaxUploadBytes"] = "40000" });
        var tar = Tars.Build(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "big") { DataStream = new MemoryStream(new byte[10_000]) });
            for (var i = 0; i < 10; i++)
            {
                w.Hardlink($"copy{i}", "big");
            }
        });
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/bomb", "error"), tar);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.False(Directory.Exists(mock.HostPath("/workspace/bomb")));
    }
}
