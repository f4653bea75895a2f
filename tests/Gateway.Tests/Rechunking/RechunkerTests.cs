using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Rechunking;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Gateway.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using TestSupport;

namespace Gateway.Tests.Rechunking;

/// <summary>
/// <c>Rechunking/Rechunker</c> called directly, as a front calls it: a byte stream cut at any offsets into the
/// backend's parts, against the real mocks, the real filesystem and a real Redis (Testcontainers). What lands at
/// the backend is compared byte for byte, and what the staging directory holds is looked at after every write.
/// </summary>
public sealed class RechunkerTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;
    private GatewayHarness _system = null!;
    private Rechunker _rechunker = null!;
    private WriterLock _writers = null!;
    private ChunkStaging _staging = null!;
    private Tenant _acme = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync(redis);
        _rechunker = _system.Gateway.GetRequiredService<Rechunker>();
        _writers = _system.Gateway.GetRequiredService<WriterLock>();
        _staging = _system.Gateway.GetRequiredService<ChunkStaging>();
        _acme = _system.Gateway.GetRequiredService<TenantDirectory>().TryGet("acme", out var acme) ? acme : throw new InvalidOperationException();
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    public static TheoryData<int[]> Cuts => new()
    {
        // One byte, the rest of part 1 but one, across a boundary, a whole part in one write, the end.
        new[] { 1, PartSize - 2, 3, PartSize, PartSize / 2 + 7 },
        // Everything in one write.
        new[] { 3 * PartSize + PartSize / 2 + 6 },
        // Writes smaller than a part, none of them on a boundary.
        new[] { 300_001, 300_001, 300_001, 300_001, 300_001, 300_001, 300_001, 300_001, 300_001, 300_001, 300_001, 370_675 },
    };

    [Theory]
    [MemberData(nameof(Cuts))]
    public async Task A_stream_cut_at_any_offsets_lands_whole_and_only_the_bytes_that_wait_are_staged(int[] cuts)
    {
        var file = TestData.Bytes(cuts.Sum(), seed: cuts.Length);
        var session = await CreateAsync("/workspace/rechunk/cut-" + cuts.Length + ".bin", file.Length);
        long offset = 0;
        RechunkResult? result = null;
        foreach (var cut in cuts)
        {
            result = await WriteAsync(session, offset, file.AsMemory((int)offset, cut), cut);
            offset += cut;

            var position = _rechunker.Position(result.Session);
            Assert.Equal(offset, position.Offset);
            // The staged tail holds exactly the bytes of the part not yet whole: nothing of a part that went through.
            var waiting = offset == file.Length ? 0 : offset - result.Session.OffsetOf(position.NextPart);
            Assert.Equal(waiting, position.TailLength);
            Assert.Equal(waiting, StagedTailBytes(session.Id));
        }

        Assert.True(result!.Whole);
        var done = await _rechunker.CompleteAsync(_acme, result.Session, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(SessionStatus.Completed, done.Status);
        Assert.Equal(file, await SandboxFileAsync("/workspace/rechunk/cut-" + cuts.Length + ".bin"));
        // The staged bytes and hash states are gone with the completion; the folder stays for a front's records.
        Assert.Empty(Directory.Exists(_staging.Folder(session.Id)) ? Directory.GetFiles(_staging.Folder(session.Id)) : []);
    }

    [Fact]
    public async Task The_whole_object_sha1_a_box_backend_checks_at_commit_is_carried_across_writes()
    {
        var file = TestData.Bytes(2 * PartSize + 5, seed: 11);
        var session = await CreateBoxAsync("rechunked.bin", file.Length);

        var first = await WriteAsync(session, 0, file.AsMemory(0, PartSize + 3), PartSize + 3);
        // Box checks no SHA-256 of the whole file, so none is computed.
        var state = await _staging.LoadHashAsync(session.Id, 1, CancellationToken.None);
        Assert.Equal((true, false), (state!.Sha1 is not null, state.Sha256 is not null));
        var second = await WriteAsync(first.Session, PartSize + 3, file.AsMemory(PartSize + 3), file.Length - PartSize - 3);
        var done = await _rechunker.CompleteAsync(_acme, second.Session, TimeSpan.FromSeconds(30), CancellationToken.None);

        // The mock refuses a commit whose Digest is not the file's SHA-1.
        Assert.Equal(SessionStatus.Completed, done.Status);
        // Box checks each part's SHA-1, which the gateway hashes for it anyway: its parts stay known by it.
        var parts = await _system.Gateway.GetRequiredService<ISessionStore>().ListPartsAsync(session.Id, CancellationToken.None);
        Assert.All(parts, p => Assert.Equal(DigestKinds.Sha1, p.Key));
    }

    [Fact]
    public async Task A_re_chunked_sandbox_part_is_known_by_no_digest_and_no_byte_is_hashed_for_it()
    {
        var file = TestData.Bytes(2 * PartSize + 9, seed: 21);
        var session = await CreateAsync("/workspace/rechunk/unhashed.bin", file.Length);

        var written = await WriteAsync(session, 0, file.AsMemory(0, PartSize + 5), PartSize + 5);
        // The sandbox checks no whole-object digest at completion unless given one, and tus clients give none:
        // nothing is hashed, so there is no hash state beside the tail.
        Assert.Equal(["tail.2"], Directory.GetFiles(_staging.Folder(session.Id)).Select(Path.GetFileName));
        written = await WriteAsync(written.Session, PartSize + 5, file.AsMemory(PartSize + 5), file.Length - PartSize - 5);
        var done = await _rechunker.CompleteAsync(_acme, written.Session, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(SessionStatus.Completed, done.Status);
        var parts = await _system.Gateway.GetRequiredService<ISessionStore>().ListPartsAsync(session.Id, CancellationToken.None);
        Assert.Equal(3, parts.Count);
        Assert.All(parts, part => Assert.Equal((DigestKinds.None, null, null), (part.Key, part.Sha256, part.Sha1)));
        Assert.Equal(file, await SandboxFileAsync("/workspace/rechunk/unhashed.bin"));
    }

    [Fact]
    public async Task A_re_chunked_part_sent_again_is_refused_whichever_way_it_comes_and_stays_as_recorded()
    {
        var file = TestData.Bytes(2 * PartSize, seed: 22);
        var session = await CreateAsync("/workspace/rechunk/resent.bin", file.Length);
        await WriteAsync(session, 0, file.AsMemory(0, PartSize), PartSize);
        var forwarder = _system.Gateway.GetRequiredService<PartForwarder>();

        // As after a lost answer, through the re-chunker's own path, and alone through /v1: known by no digest,
        // the part cannot be compared with any bytes sent again.
        var resent = await Assert.ThrowsAsync<GatewayException>(() =>
            forwarder.PutSliceAsync(Context(), _acme, session.Id, 1, new MemoryStream(file, 0, PartSize), PartSize, PartDigests.None, keyless: true, CancellationToken.None));
        var context = Context();
        context.Request.Body = new MemoryStream(file, 0, PartSize);
        context.Request.ContentLength = PartSize;
        var alone = await Assert.ThrowsAsync<GatewayException>(() => forwarder.PutAsync(context, _acme, session.Id, 1, PartDigests.None));

        Assert.Equal(ErrorCode.PartConflict.Code, resent.Error.Code);
        Assert.Equal(ErrorCode.PartConflict.Code, alone.Error.Code);
        var store = _system.Gateway.GetRequiredService<ISessionStore>();
        Assert.Equal(PartSize, _rechunker.Position((await store.GetAsync(session.Id, "acme", CancellationToken.None))!).Offset);
        Assert.Equal(DigestKinds.None, Assert.Single(await store.ListPartsAsync(session.Id, CancellationToken.None)).Key);
    }

    [Fact]
    public async Task A_write_at_another_offset_is_refused_with_the_offset_the_upload_is_at()
    {
        var session = await CreateAsync("/workspace/rechunk/offset.bin", 100);
        await WriteAsync(session, 0, TestData.Bytes(10), 10);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => WriteAsync(session, 5, new byte[5], 5));

        Assert.Equal(ErrorCode.InvalidState.Code, refusal.Error.Code);
        Assert.Equal(10L, refusal.Extensions!["upload_offset"]);
    }

    [Fact]
    public async Task A_chunk_whose_checksum_differs_is_cut_off_again_and_the_offset_stays()
    {
        var session = await CreateAsync("/workspace/rechunk/checksum.bin", 2 * PartSize);
        await WriteAsync(session, 0, TestData.Bytes(1000), 1000);
        var chunk = TestData.Bytes(PartSize, seed: 3);
        var wrong = new ChunkChecksum("sha256", HashAlgorithmName.SHA256, SHA256.HashData(TestData.Bytes(PartSize, seed: 4)));

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => WriteAsync(session, 1000, chunk, chunk.Length, wrong));

        Assert.Equal(ErrorCode.ChecksumMismatch.Code, refusal.Error.Code);
        Assert.Equal(1000, StagedTailBytes(session.Id));
        var right = new ChunkChecksum("sha256", HashAlgorithmName.SHA256, SHA256.HashData(chunk));
        var written = await WriteAsync(session, 1000, chunk, chunk.Length, right);
        Assert.Equal(1000L + PartSize, _rechunker.Position(written.Session).Offset);
    }

    [Fact]
    public async Task A_verified_chunk_goes_on_to_the_backend_without_a_byte_written_to_the_staging_directory()
    {
        var file = TestData.Bytes(2 * PartSize + 100, seed: 12);
        var session = await CreateAsync("/workspace/rechunk/verified.bin", file.Length);

        var first = await WriteAsync(session, 0, file.AsMemory(0, 2 * PartSize), 2 * PartSize, Sha1Checksum(file.AsSpan(0, 2 * PartSize)));
        Assert.Equal(2L * PartSize, _rechunker.Position(first.Session).Offset);
        // Held in memory while it was verified, then forwarded: the upload has no staging folder at all.
        Assert.False(Directory.Exists(_staging.Folder(session.Id)));
        var last = await WriteAsync(first.Session, 2 * PartSize, file.AsMemory(2 * PartSize), 100, Sha1Checksum(file.AsSpan(2 * PartSize)));
        var done = await _rechunker.CompleteAsync(_acme, last.Session, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(SessionStatus.Completed, done.Status);
        Assert.Equal(file, await SandboxFileAsync("/workspace/rechunk/verified.bin"));
        Assert.False(Directory.Exists(_staging.Folder(session.Id)));
    }

    [Fact]
    public async Task A_verified_chunk_of_several_box_parts_ending_inside_one_stores_the_whole_parts_and_stages_only_the_rest()
    {
        var file = TestData.Bytes(3 * PartSize, seed: 13);
        var session = await CreateBoxAsync("verified.bin", file.Length);
        var chunk = 2 * PartSize + 777;

        var first = await WriteAsync(session, 0, file.AsMemory(0, chunk), chunk, Sha1Checksum(file.AsSpan(0, chunk)));
        Assert.Equal(777, StagedTailBytes(session.Id));
        var second = await WriteAsync(first.Session, chunk, file.AsMemory(chunk), file.Length - chunk);
        var done = await _rechunker.CompleteAsync(_acme, second.Session, TimeSpan.FromSeconds(30), CancellationToken.None);

        // The mock refuses a part or a commit whose SHA-1 is not the bytes'.
        Assert.Equal(SessionStatus.Completed, done.Status);
    }

    [Fact]
    public async Task A_body_without_a_length_that_runs_past_the_end_is_refused_and_its_bytes_of_the_last_part_discarded()
    {
        var session = await CreateAsync("/workspace/rechunk/past.bin", PartSize + 10);
        await WriteAsync(session, 0, TestData.Bytes(PartSize + 4), PartSize + 4);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => WriteAsync(session, PartSize + 4, new byte[20], length: null));

        Assert.Equal(ErrorCode.UploadTooLarge.Code, refusal.Error.Code);
        Assert.Equal(4, StagedTailBytes(session.Id));
    }

    [Fact]
    public async Task A_body_that_ends_early_keeps_the_bytes_received()
    {
        var session = await CreateAsync("/workspace/rechunk/short.bin", 2 * PartSize);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => WriteAsync(session, 0, new byte[300], length: 500));

        Assert.Equal(ErrorCode.InvalidRequest.Code, refusal.Error.Code);
        Assert.Equal(300, StagedTailBytes(session.Id));
    }

    [Fact]
    public async Task An_upload_whose_part_was_sent_whole_through_v1_goes_on_when_its_backend_checks_no_whole_object_digest()
    {
        var file = TestData.Bytes(2 * PartSize, seed: 5);
        var session = await CreateAsync("/workspace/rechunk/mixed.bin", file.Length);
        await _system.Gateway.GetRequiredService<PartForwarder>().PutSliceAsync(Context(), _acme, session.Id, 1, new MemoryStream(file, 0, PartSize), PartSize, PartDigests.None, keyless: false, CancellationToken.None);

        var written = await WriteAsync(session, PartSize, file.AsMemory(PartSize), PartSize);
        var done = await _rechunker.CompleteAsync(_acme, written.Session, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(SessionStatus.Completed, done.Status);
        Assert.Equal(file, await SandboxFileAsync("/workspace/rechunk/mixed.bin"));
    }

    [Fact]
    public async Task A_box_upload_whose_part_was_sent_whole_elsewhere_cannot_be_continued_for_want_of_its_sha1_state()
    {
        var file = TestData.Bytes(2 * PartSize, seed: 6);
        var session = await CreateBoxAsync("mixed.bin", file.Length);
        var part = new MemoryStream(file, 0, PartSize);
        await _system.Gateway.GetRequiredService<PartForwarder>().PutSliceAsync(Context(), _acme, session.Id, 1, part, PartSize, PartDigests.None, keyless: false, CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => WriteAsync(session, PartSize, file.AsMemory(PartSize), PartSize));

        Assert.Equal(ErrorCode.InvalidRequest.Code, refusal.Error.Code);
        Assert.Contains("whole-object digests its backend checks", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_writer_of_the_same_upload_is_refused_while_the_first_writes()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = _writers.RunAsync("up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", async _ =>
        {
            entered.SetResult();
            await release.Task;
            return 1;
        });
        await entered.Task;

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _writers.RunAsync("up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", _ => Task.FromResult(2)));
        Assert.Equal(ErrorCode.ConcurrencyLimit.Code, refusal.Error.Code);
        Assert.Equal(2, await _writers.RunAsync("up_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", _ => Task.FromResult(2)));

        release.SetResult();
        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _writers.RunAsync<int>("up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", _ => throw new InvalidOperationException()));
        // Released after a writer that ended and after one that threw.
        Assert.Equal(3, await _writers.RunAsync("up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", _ => Task.FromResult(3)));
    }

    private Task<UploadSession> CreateAsync(string path, long length) =>
        _system.Gateway.GetRequiredService<UploadLifecycle>().CreateAsync(_acme,
            new CreateUpload("sandbox", new SandboxTarget(GatewayHarness.SandboxId, path).ToTarget(), "file", "error", length, null), CancellationToken.None);

    private Task<UploadSession> CreateBoxAsync(string name, long length) =>
        _system.Gateway.GetRequiredService<UploadLifecycle>().CreateAsync(_acme,
            new CreateUpload("box", new BoxTarget("0", name, null).ToTarget(), "file", "error", length, null), CancellationToken.None);

    private async Task<RechunkResult> WriteAsync(UploadSession session, long offset, ReadOnlyMemory<byte> bytes, long? length, ChunkChecksum? checksum = null)
    {
        var current = await _system.Gateway.GetRequiredService<ISessionStore>().GetAsync(session.Id, "acme", CancellationToken.None) ?? session;
        var body = new MemoryStream(bytes.ToArray());
        return await _writers.RunAsync(session.Id, token => _rechunker.WriteAsync(Context(), _acme, current, offset, length, checksum, body, token));
    }

    /// <summary>A request as the part path forwards it: the re-chunker hands it each part's bytes as the body.</summary>
    private DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext { RequestServices = _system.Gateway.Services };
        context.Request.Method = HttpMethods.Patch;
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
        return context;
    }

    private static ChunkChecksum Sha1Checksum(ReadOnlySpan<byte> chunk) => new("sha1", HashAlgorithmName.SHA1, SHA1.HashData(chunk));

    private long StagedTailBytes(string id) =>
        Directory.Exists(_staging.Folder(id)) ? Directory.GetFiles(_staging.Folder(id), "tail.*").Sum(f => new FileInfo(f).Length) : 0;

    private async Task<byte[]> SandboxFileAsync(string path)
    {
        using var sandbox = _system.SandboxClient();
        return await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}");
    }

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
