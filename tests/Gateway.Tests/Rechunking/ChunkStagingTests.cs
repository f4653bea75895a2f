using System.Security.Cryptography;
using System.Text;
using Gateway.Domain;
using Gateway.Rechunking;
using Microsoft.Extensions.Options;
using Gateway.Tests.Support;

namespace Gateway.Tests.Rechunking;

/// <summary><c>Rechunking/ChunkStaging</c> and <c>StagedAppend</c> on the real filesystem: what is staged, how durably and how privately, and what goes when.</summary>
public sealed class ChunkStagingTests : IDisposable
{
    private const string Id = "up_abcdefghijklmnopqrstuvwxyz234567";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gateway-tests", Guid.NewGuid().ToString("N"));
    private readonly ChunkStaging _staging;

    public ChunkStagingTests()
    {
        _staging = new ChunkStaging(Options.Create(new RechunkingOptions { StagingDirectory = _root }));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_hash_state_saved_at_a_part_boundary_goes_on_to_the_whole_objects_digests()
    {
        var file = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox ", 10_000)));
        var hash = WholeHash.For(["sha256", "sha1"])!;
        hash.Append(file.AsSpan(0, 65_537));
        await _staging.SaveHashAsync(Id, 1, hash);

        // As another instance would, from the saved state only.
        var resumed = (await _staging.LoadHashAsync(Id, 1, CancellationToken.None))!;
        resumed.Append(file.AsSpan(65_537));
        var digests = resumed.Digests();

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), digests.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(file)), digests.Sha1);
        Assert.Null(await _staging.LoadHashAsync(Id, 2, CancellationToken.None));
    }

    [Fact]
    public async Task A_hash_state_holds_only_the_digests_its_backend_checks_at_completion()
    {
        var file = TestData.Bytes(100_001, seed: 3);
        Assert.Null(WholeHash.For([]));
        var hash = WholeHash.For(["sha1"])!;
        hash.Append(file.AsSpan(0, 70_000));
        await _staging.SaveHashAsync(Id, 1, hash);

        var resumed = (await _staging.LoadHashAsync(Id, 1, CancellationToken.None))!;
        resumed.Append(file.AsSpan(70_000));

        Assert.Null(resumed.Sha256);
        Assert.Equal(new WholeChecksums { Sha1 = Convert.ToHexStringLower(SHA1.HashData(file)) }, resumed.Digests());
        await _staging.SaveDigestsAsync(Id, resumed.Digests());
        Assert.Equal(resumed.Digests(), await _staging.LoadDigestsAsync(Id, CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_completed_uploads_bytes_keeps_a_fronts_records_and_deleting_the_upload_takes_all()
    {
        await _staging.SaveRecordAsync(Id, "metadata", "filename ZmlsZQ==");
        await StagedAppend.AppendAsync(_staging.TailPath(Id, 2), new MemoryStream(new byte[10]), 10, null, 0, CancellationToken.None);
        await _staging.SaveHashAsync(Id, 1, WholeHash.For(["sha256"])!);
        await _staging.SaveDigestsAsync(Id, new WholeChecksums { Sha256 = "ab", Sha1 = null });

        _staging.DeleteBytes(Id);

        Assert.Equal(["metadata"], Directory.GetFiles(_staging.Folder(Id)).Select(Path.GetFileName));
        Assert.Equal("filename ZmlsZQ==", await _staging.ReadRecordAsync(Id, "metadata", CancellationToken.None));
        _staging.Delete(Id);
        _staging.Delete(Id);
        Assert.False(Directory.Exists(_staging.Folder(Id)));
        Assert.Null(await _staging.ReadRecordAsync(Id, "metadata", CancellationToken.None));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Staged_files_are_0600_in_a_0700_folder()
    {
        await StagedAppend.AppendAsync(_staging.TailPath(Id, 1), new MemoryStream(new byte[10]), 10, null, 0, CancellationToken.None);
        await _staging.SaveHashAsync(Id, 1, WholeHash.For(["sha1"])!);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_staging.Folder(Id)));
        Assert.All(Directory.GetFiles(_staging.Folder(Id)), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task An_append_keeps_what_a_body_that_breaks_off_delivered()
    {
        var path = _staging.TailPath(Id, 1);
        await StagedAppend.AppendAsync(path, new MemoryStream(new byte[100]), 100, null, 0, CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => StagedAppend.AppendAsync(path, new BreakingStream(new byte[40]), 500, null, 100, CancellationToken.None));

        Assert.Equal(140, _staging.TailLength(Id, 1));
    }

    [Fact]
    public async Task An_append_with_a_checksum_keeps_all_or_nothing()
    {
        var path = _staging.TailPath(Id, 1);
        await StagedAppend.AppendAsync(path, new MemoryStream(new byte[100]), 100, null, 0, CancellationToken.None);
        var chunk = new byte[50];
        chunk[7] = 7;
        var checksum = new ChunkChecksum("sha1", HashAlgorithmName.SHA1, SHA1.HashData(chunk));

        await Assert.ThrowsAsync<IOException>(() => StagedAppend.AppendAsync(path, new BreakingStream(chunk[..40]), 50, checksum, 100, CancellationToken.None));
        Assert.Equal(100, _staging.TailLength(Id, 1));
        var mismatch = await Assert.ThrowsAsync<GatewayException>(() => StagedAppend.AppendAsync(path, new MemoryStream(new byte[50]), 50, checksum, 100, CancellationToken.None));
        Assert.Equal(ErrorCode.ChecksumMismatch.Code, mismatch.Error.Code);
        Assert.Equal(100, _staging.TailLength(Id, 1));

        Assert.Equal(50, await StagedAppend.AppendAsync(path, new MemoryStream(chunk), 50, checksum, 100, CancellationToken.None));
        Assert.Equal(150, _staging.TailLength(Id, 1));
    }

    /// <summary>A body that delivers its bytes and then breaks, as a client's connection does.</summary>
    private sealed class BreakingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("The client went away.");
        }
    }
}
