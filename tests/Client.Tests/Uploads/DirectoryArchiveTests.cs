using System.Formats.Tar;
using System.Security.Cryptography;
using UploadGateway.Client.Uploads;

namespace Client.Tests.Uploads;

public sealed class DirectoryArchiveTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "client-tests", Guid.NewGuid().ToString("N"));

    public DirectoryArchiveTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "b", "c"));
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        File.WriteAllText(Path.Combine(_root, "a.txt"), "alpha");
        File.WriteAllBytes(Path.Combine(_root, "b", "c", "d.bin"), RandomNumberGenerator.GetBytes(300_000));
        File.WriteAllText(Path.Combine(_root, "b", "e.txt"), "");
        File.CreateSymbolicLink(Path.Combine(_root, "b", "link"), "c/d.bin");
    }

    [Fact]
    public async Task An_unchanged_directory_gives_the_same_bytes_every_time()
    {
        var first = await DigestAsync();
        // Reading the files again (access times change) must not change the archive.
        _ = await File.ReadAllBytesAsync(Path.Combine(_root, "b", "c", "d.bin"));
        var second = await DigestAsync();

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_changed_file_changes_the_archive()
    {
        var before = await DigestAsync();
        await File.WriteAllTextAsync(Path.Combine(_root, "a.txt"), "alphA");
        File.SetLastWriteTimeUtc(Path.Combine(_root, "a.txt"), File.GetLastWriteTimeUtc(Path.Combine(_root, "b", "e.txt")));

        Assert.NotEqual(before, await DigestAsync());
    }

    [Fact]
    public async Task The_archive_holds_every_entry_relative_in_order_with_links_kept()
    {
        await using var archive = await DirectoryArchive.CreateAsync(_root, null, CancellationToken.None);
        await using var stream = File.OpenRead(archive.Path);
        using var reader = new TarReader(stream);
        var entries = new List<(string Name, TarEntryType Type, string Link, long Length)>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add((entry.Name, entry.EntryType, entry.LinkName, entry.Length));
        }

        Assert.Equal(
        [
            ("a.txt", TarEntryType.RegularFile, "", 5),
            ("b/", TarEntryType.Directory, "", 0),
            ("b/c/", TarEntryType.Directory, "", 0),
            ("b/c/d.bin", TarEntryType.RegularFile, "", 300_000),
            ("b/e.txt", TarEntryType.RegularFile, "", 0),
            ("b/link", TarEntryType.SymbolicLink, "c/d.bin", 0),
            ("empty/", TarEntryType.Directory, "", 0),
        ], entries);
    }

    [Fact]
    public async Task The_temporary_archive_is_deleted_when_disposed()
    {
        string path;
        await using (var archive = await DirectoryArchive.CreateAsync(_root, null, CancellationToken.None))
        {
            path = archive.Path;
            Assert.True(File.Exists(path));
        }

        Assert.False(File.Exists(path));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<string> DigestAsync()
    {
        await using var archive = await DirectoryArchive.CreateAsync(_root, null, CancellationToken.None);
        return Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(archive.Path)));
    }
}
