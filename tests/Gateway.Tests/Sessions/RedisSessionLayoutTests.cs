using System.Text.Json;
using Gateway.Sessions;
using Gateway.Sessions.Redis;
using StackExchange.Redis;
using TestSupport;

namespace Gateway.Tests.Sessions;

/// <summary>
/// The compact layout of a session in Redis (Sessions/Redis/SessionHash.cs, Sessions/PartRecordFormat.cs): every
/// property comes back as it went in, and a session written in the layout before it (fields and a JSON
/// <c>doc</c>, text part records) still reads and takes parts, as after a rolling upgrade.
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
            // Every target property, and times below the millisecond, as TimeProvider.System gives them.
            Target = new UploadTarget { SandboxId = "sb_1", Path = "/workspace/é.bin", User = "u1", FolderId = "12", FileName = "a.bin", FileId = "34" },
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
    public async Task A_session_of_the_layout_before_reads_and_takes_parts()
    {
        var session = Session();
        var db = _redis.GetDatabase();
        var keepUntil = (session.ExpiresAt + _options.Retention).ToUnixTimeMilliseconds();
        // What CreateAsync wrote before the compact layout: the fields the scripts read, and the whole session as JSON.
        await db.HashSetAsync(_keys.Session(session.Id),
        [
            new("doc", JsonSerializer.Serialize(session, SessionJsonContext.Default.UploadSession)),
            new("tenant", session.Tenant), new("status", "uploading"), new("exp", session.ExpiresAt.ToUnixTimeMilliseconds()),
            new("size", session.ContentLength), new("psize", session.PartSize), new("pcount", session.PartCount),
            new("maxc", session.MaxConcurrency), new("acc", session.PartSize), new("recv", 1),
            new("upd", session.UpdatedAt.ToUnixTimeMilliseconds()), new("kexp", keepUntil),
        ]);
        var old = new PartRecord(1, session.PartSize, new string('a', 64), new string('b', 40), "6F2D3486");
        await db.HashSetAsync(_keys.Parts(session.Id), "1", $"{old.Sha256}|{old.Size}|{old.Sha1}|{old.BackendPartId}");

        var read = await _store.GetAsync(session.Id, session.Tenant, default);
        Assert.NotNull(read);
        Assert.Equal(session.Target, read.Target);
        Assert.Equal(session.BackendSession.Urls, read.BackendSession.Urls);
        Assert.Equal([1], read.ReceivedParts);
        Assert.Equal(old, Assert.Single(await _store.ListPartsAsync(session.Id, default)));

        var again = await _store.BeginPartAsync(PartLease.New(session.Id, session.Tenant, 1), null);
        Assert.Equal(PartBeginOutcome.AlreadyReceived, again.Outcome);
        Assert.Equal(old, again.Existing);
        Assert.Equal(PartEndOutcome.Duplicate, (await _store.EndPartAsync(PartLease.New(session.Id, session.Tenant, 1), old)).Outcome);
        Assert.Equal(PartEndOutcome.Conflict,
            (await _store.EndPartAsync(PartLease.New(session.Id, session.Tenant, 1), old with { Sha256 = new string('c', 64) })).Outcome);

        var lease = PartLease.New(session.Id, session.Tenant, 2);
        var begin = await _store.BeginPartAsync(lease, null);
        Assert.Equal(PartBeginOutcome.Started, begin.Outcome);
        var fresh = new PartRecord(2, begin.ExpectedSize, new string('d', 64), new string('e', 40), "0A1B2C3D");
        var end = await _store.EndPartAsync(lease, fresh);
        Assert.Equal(PartEndOutcome.Recorded, end.Outcome);
        Assert.Equal(session.ContentLength, end.AcceptedBytes);
        Assert.Equal([old, fresh], await _store.ListPartsAsync(session.Id, default));
    }

    [Fact]
    public void A_part_record_fits_a_listpack_value_and_decodes_to_itself()
    {
        var box = new PartRecord(7, 8 * 1024 * 1024, new string('a', 64), new string('b', 40), "6F2D3486");
        var sandbox = new PartRecord(7, 8 * 1024 * 1024, new string('a', 64), null, null);
        var odd = new PartRecord(1, 0, "0123456789abcdef".PadRight(64, 'f'), null, "part-é");

        Assert.Equal(64, PartRecordFormat.Encode(box).Length);
        Assert.Equal(36, PartRecordFormat.Encode(sandbox).Length);
        foreach (var record in new[] { box, sandbox, odd })
        {
            Assert.Equal(record, PartRecordFormat.Decode(record.Number, PartRecordFormat.Encode(record)));
        }
        Assert.Throws<ArgumentException>(() => PartRecordFormat.Encode(sandbox with { Sha256 = "not hex" }));
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
            Target = new UploadTarget { FolderId = "0", FileName = "a.bin" },
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
