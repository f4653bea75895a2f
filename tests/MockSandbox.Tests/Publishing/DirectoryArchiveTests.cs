using System.Net;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Publishing;

public sealed class DirectoryArchiveTests
{
    private static readonly byte[] s_archive = Tars.Build(w =>
    {
        w.Directory("./");
        w.Directory("src/");
        w.File("src/shared.txt", "shared from the archive");
        w.File("src/deep/er/still/leaf.txt", "leaf");
        w.File("README.md", "readme");
        w.Symlink("latest", "src/deep/er/still/leaf.txt");
        w.Hardlink("src/copy.txt", "README.md");
    });

    private static async Task SeedExistingAsync(SandboxMockHost mock)
    {
        await mock.PutFileAsync("/workspace/project/keep.txt", "kept");
        await mock.PutFileAsync("/workspace/project/src/old.txt", "old");
        await mock.PutFileAsync("/workspace/project/src/shared.txt", "shared before");
    }

    [Fact]
    public async Task An_archive_unpacks_into_a_new_directory_with_nested_folders()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "error"), s_archive);
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(4, body.Long("published_file_count"));
        Assert.Equal("shared from the archive".Length + "leaf".Length + 2 * "readme".Length, body.Long("published_bytes"));
        Assert.Equal("completed", body.GetProperty("session").Status());
        Assert.Equal("leaf", await mock.ReadFileAsync("/workspace/project/src/deep/er/still/leaf.txt"));
        Assert.Equal("readme", await mock.ReadFileAsync("/workspace/project/src/copy.txt"));
        Assert.Equal("leaf", await mock.ReadFileAsync("/workspace/project/latest"));
        // Links are stored relative, so they resolve inside the sandbox's own folder.
        Assert.Equal("src/deep/er/still/leaf.txt", new FileInfo(mock.HostPath("/workspace/project/latest")).LinkTarget);
    }

    [Fact]
    public async Task Merge_overlays_an_existing_directory_keeping_what_the_archive_does_not_name()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await SeedExistingAsync(mock);
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "merge"), s_archive);
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(4, body.Long("published_file_count"));
        Assert.Equal("kept", await mock.ReadFileAsync("/workspace/project/keep.txt"));
        Assert.Equal("old", await mock.ReadFileAsync("/workspace/project/src/old.txt"));
        Assert.Equal("shared from the archive", await mock.ReadFileAsync("/workspace/project/src/shared.txt"));
        Assert.Equal("leaf", await mock.ReadFileAsync("/workspace/project/src/deep/er/still/leaf.txt"));
        Assert.Equal("leaf", await mock.ReadFileAsync("/workspace/project/latest"));
    }

    [Fact]
    public async Task Replace_swaps_the_whole_directory_for_the_archive()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await SeedExistingAsync(mock);
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "replace"), s_archive);
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Null(await mock.ReadFileAsync("/workspace/project/keep.txt"));
        Assert.Null(await mock.ReadFileAsync("/workspace/project/src/old.txt"));
        Assert.Equal("shared from the archive", await mock.ReadFileAsync("/workspace/project/src/shared.txt"));
        Assert.Equal("leaf", await mock.ReadFileAsync("/workspace/project/src/deep/er/still/leaf.txt"));
    }

    [Fact]
    public async Task Conflict_error_refuses_an_existing_directory_and_leaves_it_untouched()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await SeedExistingAsync(mock);
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "error"), s_archive);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("target_exists", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("shared before", await mock.ReadFileAsync("/workspace/project/src/shared.txt"));
        Assert.Null(await mock.ReadFileAsync("/workspace/project/README.md"));
    }

    [Fact]
    public async Task An_archive_cannot_take_the_place_of_a_file()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/project", "a file");
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "replace"), s_archive);
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("target_not_directory", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("a file", await mock.ReadFileAsync("/workspace/project"));
    }

    [Fact]
    public async Task In_a_merge_an_archive_entry_takes_the_place_of_an_existing_entry_of_another_type()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/project/src", "src was a file");
        await mock.PutFileAsync("/workspace/project/README.md/inner.txt", "README.md was a directory");
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/project", "merge"), s_archive);
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("shared from the archive", await mock.ReadFileAsync("/workspace/project/src/shared.txt"));
        Assert.Equal("readme", await mock.ReadFileAsync("/workspace/project/README.md"));
    }

    [Fact]
    public async Task An_archive_may_be_merged_into_a_root()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/data/existing.txt", "existing");
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/data", "merge"), Tars.Build(w => w.File("new.txt", "new")));
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("existing", await mock.ReadFileAsync("/data/existing.txt"));
        Assert.Equal("new", await mock.ReadFileAsync("/data/new.txt"));
    }

    [Fact]
    public async Task An_empty_archive_publishes_an_empty_directory()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/tmp/empty", "error"), Tars.Build(_ => { }));
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(0, body.Long("published_file_count"));
        Assert.True(Directory.Exists(mock.HostPath("/tmp/empty")));
    }

    [Fact]
    public async Task A_large_archive_in_several_parts_is_assembled_before_unpacking()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var big = TestData.Bytes(70, 0, 3 * SandboxMockHost.PartSize);
        var tar = Tars.Build(w => w.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "blob.bin") { DataStream = new MemoryStream(big) }));
        Assert.True(tar.Length > 3 * SandboxMockHost.PartSize);
        using var response = await mock.UploadAsync(SandboxMockHost.ArchiveBody(0, "/workspace/blob", "error"), tar);
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(big, await File.ReadAllBytesAsync(mock.HostPath("/workspace/blob/blob.bin")));
    }
}
