using Gateway.Backends.Sandbox;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Sessions.Redis;
using StackExchange.Redis;
using TestSupport;
using Gateway.Backends.Box;

namespace Gateway.Tests.Sessions;

/// <summary>
/// The compact layout of a session in Redis (Sessions/Redis/SessionHash.cs, Sessions/PartRecordFormat.cs): every
/// property comes back as it went in, and a part record fits one listpack value.
/// </summary>
public sealed class RedisSessionLayoutTests : IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly StoreOptions _options = new() { KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..12] };
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = Clocks.StartingNow();
    private readonly RedisSessionStore _store;
    private readonly RedisKeys _keys;

    public RedisSessionLayoutTests(RedisServer server)
    {
        _redis = ConnectionMultiplexer.Connect(server.ConnectionString);
        _store = new RedisSessionStore(_redis, _options, _clock);
        _keys = new RedisKeys(_options.KeyPrefix, _options.EventShards);
    }

    [Fact]
    public async Task Every_property_of_a_session_reads_back_as_it_was_created()
    {
        var created = Session() with
        {
            // A target with every member of its backend's, and times below the millisecond, as TimeProvider.System gives them.
            Target = new SandboxTarget("sb_1", "/workspace/é.bin", "u1").ToTarget(),
            CreatedAt = _clock.GetUtcNow().AddTicks(1234),
            ExpiresAt = _clock.GetUtcNow().AddHours(1).AddTicks(5678),
        };
        await _store.CreateAsync(created);

        var read = await _store.GetAsync(created.Id, created.Tenant, default);

        Assert.NotNull(read);
        Assert.Equivalent(created with { UpdatedAt = read.UpdatedAt }, read, strict: true);
        Assert.Equal(created.UpdatedAt.ToUnixTimeMilliseconds(), read.UpdatedAt.ToUnixTimeMilliseconds());
        Assert.Equal("listpack", (string?)await _redis.GetDatabase().ExecuteAsync("OBJECT", "ENCODING", _keys.Session(created.Id)));
    }

    [Fact]
    public async Task A_long_target_document_is_kept_in_listpack_sized_pieces_and_reads_back_whole()
    {
        // 300 characters of path, multi-byte ones and a surrogate pair among them, across several 64-byte pieces.
        var path = "/workspace/" + string.Concat(Enumerable.Repeat("é😀dir/", 40)) + "a.bin";
        var created = Session() with { Target = new SandboxTarget("sb_1", path, "u1").ToTarget() };
        await _store.CreateAsync(created);

        var read = await _store.GetAsync(created.Id, created.Tenant, default);

        Assert.NotNull(read);
        Assert.Equal(created.Target, read.Target);
        Assert.Equal(path, SandboxTarget.Of(read.Target).Path);
        Assert.Equal("listpack", (string?)await _redis.GetDatabase().ExecuteAsync("OBJECT", "ENCODING", _keys.Session(created.Id)));
    }

    [Fact]
    public void A_part_record_fits_a_listpack_value_and_decodes_to_itself()
    {
        var box = new PartRecord(7, 8 * 1024 * 1024, DigestKinds.Sha1, null, new string('b', 40), "6F2D3486");
        var boxWithSha256 = box with { Sha256 = new string('a', 64) };
        var sandbox = new PartRecord(7, 8 * 1024 * 1024, DigestKinds.Sha256, new string('a', 64), null, null);
        var odd = new PartRecord(1, 0, DigestKinds.Sha256, "0123456789abcdef".PadRight(64, 'f'), new string('c', 40), "part-é");
        var rechunked = new PartRecord(7, 8 * 1024 * 1024, DigestKinds.None, null, null, null);
        var rechunkedS3 = rechunked with { BackendPartId = "\"9b2cf535f27731c974343645a3985328\"" };

        Assert.Equal(33, PartRecordFormat.Encode(box).Length);
        Assert.Equal(65, PartRecordFormat.Encode(boxWithSha256).Length);
        Assert.Equal(37, PartRecordFormat.Encode(sandbox).Length);
        Assert.Equal(5, PartRecordFormat.Encode(rechunked).Length);
        foreach (var record in new[] { box, boxWithSha256, sandbox, odd, rechunked, rechunkedS3, rechunked with { Sha1 = new string('e', 40) } })
        {
            Assert.Equal(record, PartRecordFormat.Decode(record.Number, PartRecordFormat.Encode(record)));
        }
        Assert.Throws<ArgumentException>(() => PartRecordFormat.Encode(sandbox with { Sha256 = "not hex" }));
        Assert.Throws<ArgumentException>(() => PartRecordFormat.Encode(box with { Sha1 = null }));
        // A part with a SHA-256 is known by it; a record known by none would not say that it has one.
        Assert.Throws<ArgumentException>(() => PartRecordFormat.Encode(rechunked with { Sha256 = new string('a', 64) }));
    }

    [Fact]
    public void A_part_known_by_no_digest_is_told_apart_by_its_whole_record_and_a_legacy_running_record_reads_as_one()
    {
        var rechunked = PartRecordFormat.Encode(new PartRecord(3, 5 * 1024 * 1024, DigestKinds.None, null, null, "\"etag\""));
        var sandbox = PartRecordFormat.Encode(new PartRecord(3, 5 * 1024 * 1024, DigestKinds.Sha256, new string('a', 64), null, null));

        Assert.Equal(rechunked.Length, PartRecordFormat.KeyLength(rechunked));
        Assert.Equal(33, PartRecordFormat.KeyLength(sandbox));
        // Kind 4: the whole-object SHA-256 at the part's end, then varint(size·2), as written before parts were known by no digest.
        byte[] legacy = [4, .. Enumerable.Repeat((byte)0xdd, 32), 0x80, 0x80, 0x80, 0x05];
        Assert.Equal(new PartRecord(3, 5 * 1024 * 1024, DigestKinds.None, null, null, null), PartRecordFormat.Decode(3, legacy));
    }

    private UploadSession Session()
    {
        var now = _clock.GetUtcNow();
        const long MiB = 1024 * 1024;
        var id = "up_" + Guid.NewGuid().ToString("N");
        var box = "F971964745A5CD0C001BBE4E58196BFD";
        var at = $"https://upload.box.com/api/2.0/files/upload_sessions/{box}";
        return new UploadSession
        {
            Id = id,
            Tenant = "acme",
            Backend = "box",
            BackendType = "box",
            Target = new BoxTarget("0", "a.bin", null).ToTarget(),
            Kind = "file",
            Conflict = "error",
            ContentLength = 10 * MiB,
            PartSize = 8 * MiB,
            PartCount = 2,
            MaxConcurrency = 4,
            Limits = new SessionLimits(50L << 30, 64 * MiB, 8, 200L << 30),
            Sha256 = new string('9', 64),
            BackendSession = new BackendSessionRef(box, new Dictionary<string, string>
            {
                ["upload_part"] = at, ["commit"] = at + "/commit", ["abort"] = at, ["list_parts"] = at + "/parts", ["status"] = at,
            }),
            QuotaScopes = ["tenant:acme", "sandbox:sandbox:sb_1"],
            Status = SessionStatus.Created,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddHours(1),
        };
    }

    public void Dispose() => _redis.Dispose();
}
