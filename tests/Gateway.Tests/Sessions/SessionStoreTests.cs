using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Sessions.InMemory;
using Gateway.Sessions.Redis;
using StackExchange.Redis;
using TestSupport;

namespace Gateway.Tests.Sessions;

public sealed class RedisSessionStoreTests : SessionStoreContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisServer _server;

    public RedisSessionStoreTests(RedisServer server)
    {
        _server = server;
        _redis = ConnectionMultiplexer.Connect(server.ConnectionString);
        Store = new RedisSessionStore(_redis, Options, Clock);
    }

    private protected override ISessionStore Store { get; }

    [Fact]
    public async Task Every_key_of_a_session_shares_one_hash_tag()
    {
        var session = await CreateAsync();
        var lease = PartLease.New(session.Id, session.Tenant, 1);
        await Store.BeginPartAsync(lease, null);
        await Store.EndPartAsync(lease, new PartRecord(1, session.SizeOf(1), DigestKinds.Sha256, new string('a', 64), null, null));
        await Store.BeginPartAsync(PartLease.New(session.Id, session.Tenant, 2), null);

        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        var keys = server.Keys(pattern: $"{Options.KeyPrefix}:*{session.Id}*").Select(k => (string)k!).ToList();

        // The tag is the session's event shard: its events stream carries the same one (docs/events.md).
        var tag = "{e" + EventTypes.ShardOf(session.Id, Options.EventShards) + "}";
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.Contains(tag, k));
        Assert.True(await _redis.GetDatabase().KeyExistsAsync($"{Options.KeyPrefix}:{tag}:events"));
    }

    [Fact]
    public async Task A_session_key_expires_after_its_retention()
    {
        var session = await CreateAsync();

        var ttl = await _redis.GetDatabase().KeyTimeToLiveAsync($"{Options.KeyPrefix}:{{e{EventTypes.ShardOf(session.Id, Options.EventShards)}}}:{session.Id}");

        var expected = session.ExpiresAt + Options.Retention - DateTimeOffset.UtcNow;
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, expected - TimeSpan.FromMinutes(1), expected + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_script_Redis_no_longer_holds_is_sent_again_and_the_call_goes_on()
    {
        var session = await CreateAsync();
        // What a restart or a failover does to the script cache: the next EVALSHA answers NOSCRIPT.
        await _redis.GetDatabase().ExecuteAsync("SCRIPT", "FLUSH");

        var begin = await Store.BeginPartAsync(PartLease.New(session.Id, session.Tenant, 1), null);

        Assert.Equal(PartBeginOutcome.Started, begin.Outcome);
    }

    [Fact]
    public void The_scripts_answer_with_the_generated_result_names_not_bare_numbers()
    {
        foreach (var script in new[] { RedisScripts.BeginPart, RedisScripts.EndPart, RedisScripts.Transition })
        {
            var body = script.Text[RedisScripts.Prelude.Length..];
            Assert.DoesNotMatch(@"return \{?\s*-?\d", body);
            Assert.StartsWith(RedisScripts.Prelude, script.Text, StringComparison.Ordinal);
        }
        Assert.Contains($"local NotFound = {(int)ScriptResult.NotFound}", RedisScripts.Prelude, StringComparison.Ordinal);
    }

    /// <remarks>
    /// Issue 23's finding: <c>?status=failed&amp;limit=1</c> ran one script per session of the tenant's index. Counted
    /// in commands Redis processed (not time): one range read per shard and one read of the session on the page.
    /// </remarks>
    [Fact]
    public async Task Listing_by_status_reads_the_page_not_the_tenants_whole_index()
    {
        var tenant = "scan-" + Guid.NewGuid().ToString("N");
        var failed = await CreateAsync(NewSession(contentLength: 0, tenant: tenant) with { Status = SessionStatus.Staged });
        await Store.ApplyAsync(failed.Id, tenant, SessionTransition.BeginComplete);
        await Store.ApplyAsync(failed.Id, null, SessionTransition.Fail);
        for (var i = 0; i < 300; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(1));
            await CreateAsync(NewSession(tenant: tenant));
        }

        using var admin = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString + ",allowAdmin=true");
        // The read script is cached first, so its first use (NOSCRIPT, then EVAL) is not counted.
        await Store.GetAsync(failed.Id, tenant, default);
        var before = await CommandsProcessedAsync(admin);
        var page = await ((ISessionListing)Store).ListAsync(tenant, SessionStatus.Failed, null, 1, default);
        var commands = await CommandsProcessedAsync(admin) - before;

        Assert.Equal([failed.Id], page.Sessions.Select(s => s.Id));
        // One range read per shard and the page's one session.
        Assert.InRange(commands, 1, Options.EventShards + 1);
    }

    /// <summary>Calls of the commands a listing uses (scripts and sorted-set reads), from <c>INFO commandstats</c>: the connections' own chatter is not counted.</summary>
    private static async Task<long> CommandsProcessedAsync(ConnectionMultiplexer admin)
    {
        var info = (string)(await admin.GetDatabase().ExecuteAsync("INFO", "commandstats"))!;
        return info.Split('\n')
            .Where(l => l.StartsWith("cmdstat_eval", StringComparison.Ordinal) || l.StartsWith("cmdstat_z", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose() => _redis.Dispose();
}

public sealed class InMemorySessionStoreTests : SessionStoreContract
{
    public InMemorySessionStoreTests()
    {
        Store = new InMemorySessionStore(Options, Clock);
    }

    private protected override ISessionStore Store { get; }

    [Fact]
    public async Task A_session_is_forgotten_after_its_retention()
    {
        var session = await CreateAsync();

        Clock.Advance(session.ExpiresAt - Clock.GetUtcNow() + Options.Retention);

        Assert.Null(await Store.GetAsync(session.Id, null, default));
    }
}
