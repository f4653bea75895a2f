using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Gateway.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using static Gateway.Tests.Backends.BackendCalls;
using Gateway.Backends.Sandbox;
using Gateway.Backends.Box;

namespace Gateway.Tests.Forwarding;

/// <summary>
/// <c>Forwarding/PartForwarder</c>, called as a front calls it (a request context holding the part's body) over
/// the gateway's own store, backends and YARP forwarder, with the real mocks behind: a part streamed, hashed and
/// counted once; a retry that is not sent again; a refused part that leaves no lease behind; Box's SHA-1 found by
/// spooling. The mocks count the part requests they receive.
/// </summary>
public sealed class PartForwarderTests : IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;
    private GatewayHarness _system = null!;
    private PartForwarder _forwarder = null!;
    private ISessionStore _store = null!;
    private Tenant _acme = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync();
        _forwarder = _system.Gateway.GetRequiredService<PartForwarder>();
        _store = _system.Gateway.GetRequiredService<ISessionStore>();
        _acme = Tenant(_system);
        await CountAsync(_system.Sandbox, "PUT", "/parts/");
        await CountAsync(_system.Box, "PUT", "/upload_sessions/");
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task A_part_is_streamed_to_the_backend_hashed_and_counted_once()
    {
        var file = TestData.Bytes(PartSize + 100, seed: 51);
        var session = await CreateSandboxAsync("/workspace/forward/one.bin", file.Length);

        var receipt = await PutAsync(session, 2, file[PartSize..]);

        Assert.Equal(2, receipt.Part.Number);
        Assert.Equal(100, receipt.Part.Size);
        Assert.Equal(TestData.Sha256Hex(file[PartSize..]), receipt.Part.Sha256);
        Assert.Equal(PartSize, receipt.Offset);
        Assert.Equal((100, 1), (receipt.AcceptedBytes, receipt.PartsReceived));
        var stored = Assert.Single(await _store.ListPartsAsync(session.Id, CancellationToken.None));
        Assert.Equal(receipt.Part.Sha256, stored.Sha256);
        Assert.Equal(1, await CountedAsync(_system.Sandbox));
    }

    [Fact]
    public async Task A_retried_part_with_the_same_bytes_is_not_sent_again_and_different_bytes_are_a_conflict()
    {
        var file = TestData.Bytes(PartSize, seed: 52);
        var session = await CreateSandboxAsync("/workspace/forward/retry.bin", file.Length);
        var first = await PutAsync(session, 1, file);

        var retry = await PutAsync(session, 1, file);
        var other = await Assert.ThrowsAsync<GatewayException>(() => PutAsync(session, 1, TestData.Bytes(PartSize, seed: 53)));

        Assert.Equal(first.Part.Sha256, retry.Part.Sha256);
        Assert.Equal(ErrorCode.PartConflict, other.Error);
        Assert.Equal(1, await CountedAsync(_system.Sandbox));
    }

    [Fact]
    public async Task A_part_the_backend_refuses_is_not_counted_and_releases_its_lease_so_the_retry_goes_through()
    {
        var file = TestData.Bytes(PartSize, seed: 54);
        var session = await CreateSandboxAsync("/workspace/forward/refused.bin", file.Length);
        await FaultAsync(_system.Sandbox, new { kind = "error", method = "PUT", path = "/parts/", status = 503, count = 1 });

        var refused = await Assert.ThrowsAsync<GatewayException>(() => PutAsync(session, 1, file));
        Assert.Equal(ErrorCode.BackendUnavailable, refused.Error);
        var between = (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!;
        Assert.Equal((0, 0), (between.PartsReceived, between.PartsInFlight));

        var receipt = await PutAsync(session, 1, file);
        Assert.Equal(1, receipt.PartsReceived);
    }

    [Fact]
    public async Task Bytes_that_differ_from_their_claimed_digest_are_refused_before_the_backend_keeps_them()
    {
        var file = TestData.Bytes(PartSize, seed: 55);
        var session = await CreateSandboxAsync("/workspace/forward/digest.bin", file.Length);

        var wrong = await Assert.ThrowsAsync<GatewayException>(() => PutAsync(session, 1, file, new PartDigests(SHA256.HashData(file[1..]), null)));

        Assert.Equal(ErrorCode.ChecksumMismatch, wrong.Error);
        Assert.Empty(await _store.ListPartsAsync(session.Id, CancellationToken.None));
        Assert.Equal(1, (await PutAsync(session, 1, file, new PartDigests(SHA256.HashData(file), null))).PartsReceived);
    }

    [Fact]
    public async Task A_part_refused_by_size_number_or_the_tenants_limit_never_reaches_the_backend()
    {
        var session = await CreateSandboxAsync("/workspace/forward/rules.bin", PartSize + 10);

        var size = await Assert.ThrowsAsync<GatewayException>(() => PutAsync(session, 2, new byte[11]));
        var number = await Assert.ThrowsAsync<GatewayException>(() => PutAsync(session, 3, new byte[10]));
        var limit = await Assert.ThrowsAsync<GatewayException>(() =>
            _forwarder.PutAsync(Context(new byte[PartSize]), _acme with { Limits = new TenantLimits { MaxPartBytes = 1000 } }, session.Id, 1, PartDigests.None));

        Assert.Equal(ErrorCode.PartSizeMismatch, size.Error);
        Assert.Equal(ErrorCode.InvalidRequest, number.Error);
        Assert.Equal(ErrorCode.UploadTooLarge, limit.Error);
        Assert.Equal(0, await CountedAsync(_system.Sandbox));
        Assert.Equal(0, (await _store.GetAsync(session.Id, "acme", CancellationToken.None))!.PartsInFlight);
    }

    [Fact]
    public async Task A_Box_part_sent_without_its_SHA_1_is_spooled_and_goes_to_Box_with_it()
    {
        var file = TestData.Bytes(PartSize, seed: 56);
        var session = await _system.Gateway.GetRequiredService<UploadLifecycle>().CreateAsync(_acme,
            new CreateUpload("box", new BoxTarget("0", "forward.bin", null).ToTarget(), "file", "error", file.Length, null), CancellationToken.None);

        var receipt = await PutAsync(session, 1, file);

        Assert.Equal(TestData.Sha1Hex(file), receipt.Part.Sha1);
        Assert.False(string.IsNullOrEmpty(receipt.Part.BackendPartId));
        Assert.Equal(1, await CountedAsync(_system.Box));
    }

    [Fact]
    public async Task A_Box_part_sent_without_its_SHA_1_goes_to_Box_from_the_spool_directory_when_no_memory_may_hold_it()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: s => s["Gateway:Forwarding:SpoolMemoryBytes"] = "0");
        var file = TestData.Bytes(PartSize, seed: 57);
        var acme = Tenant(system);
        var session = await system.Gateway.GetRequiredService<UploadLifecycle>().CreateAsync(acme,
            new CreateUpload("box", new BoxTarget("0", "forward-disk.bin", null).ToTarget(), "file", "error", file.Length, null), CancellationToken.None);

        var receipt = await system.Gateway.GetRequiredService<PartForwarder>().PutAsync(Context(file, system), acme, session.Id, 1, PartDigests.None);

        Assert.Equal(TestData.Sha1Hex(file), receipt.Part.Sha1);
        Assert.False(string.IsNullOrEmpty(receipt.Part.BackendPartId));
        Assert.Empty(Directory.GetFiles(system.Gateway.GetRequiredService<IOptions<ForwardingOptions>>().Value.SpoolDirectory));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("17179869185")]
    public async Task A_spool_memory_budget_out_of_range_stops_the_gateway_at_start_up_naming_it(string value)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            GatewayHarness.StartAsync(gateway: s => s["Gateway:Forwarding:SpoolMemoryBytes"] = value));

        Assert.Contains("SpoolMemoryBytes", error.Message, StringComparison.Ordinal);
    }

    private Task<UploadSession> CreateSandboxAsync(string path, long length) =>
        _system.Gateway.GetRequiredService<UploadLifecycle>().CreateAsync(_acme,
            new CreateUpload("sandbox", new SandboxTarget(GatewayHarness.SandboxId, path).ToTarget(), "file", "error", length, null), CancellationToken.None);

    private Task<PartReceipt> PutAsync(UploadSession session, int partNumber, byte[] bytes, PartDigests? claimed = null) =>
        _forwarder.PutAsync(Context(bytes), _acme, session.Id, partNumber, claimed ?? PartDigests.None);

    /// <summary>The request a front hands the forwarder: a PUT whose body is the part, with its length.</summary>
    private DefaultHttpContext Context(byte[] bytes, GatewayHarness? system = null)
    {
        var context = new DefaultHttpContext { RequestServices = (system ?? _system).Gateway.Services };
        context.Request.Method = HttpMethods.Put;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1");
        context.Request.Protocol = "HTTP/1.1";
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
        return context;
    }

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
