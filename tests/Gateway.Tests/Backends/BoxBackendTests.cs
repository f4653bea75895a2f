using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Tests.Support;
using static Gateway.Tests.Backends.BackendCalls;
using Gateway.Backends.Box;

namespace Gateway.Tests.Backends;

/// <summary>
/// <c>Backends/Box/BoxBackend</c> against mock-box on a loopback port: the session it opens (new file, new
/// version, "replace" over a name in use), how it reads Box's answers (part size, parts, the session's own
/// endpoints, acknowledged parts), and how Box's errors, a malformed answer included, become the contract's codes.
/// </summary>
public sealed class BoxBackendTests : IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;
    private GatewayHarness _system = null!;
    private IUploadBackend _box = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync();
        _box = Backend(_system, "box");
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Create_opens_a_Box_session_and_keeps_its_part_geometry_and_endpoints_on_the_backends_host()
    {
        var created = await CreateAsync(new BoxTarget("0", "geometry.bin", null).ToTarget(), 2 * PartSize + 1);

        Assert.Equal(PartSize, created.PartSize);
        Assert.Equal(3, created.PartCount);
        Assert.NotNull(created.ExpiresAt);
        var urls = created.Ref.Urls!;
        Assert.Equal(["abort", "commit", "list_parts", "status", "upload_part"], urls.Keys.Order(StringComparer.Ordinal));
        Assert.All(urls.Values, url => Assert.Equal(_system.Box.BaseAddress.Authority, new Uri(url).Authority));
        using var mock = _system.BoxClient();
        var status = await mock.GetFromJsonAsync<JsonElement>(urls["status"]);
        Assert.Equal(created.Ref.Id, status.GetProperty("id").GetString());
        Assert.Equal(3, status.GetProperty("total_parts").GetInt32());
    }

    [Fact]
    public async Task A_name_in_use_is_a_conflict_unless_replace_which_opens_a_version_session_of_that_file()
    {
        var fileId = await UploadFileAsync("taken.bin", TestData.Bytes(100, seed: 41));
        await CountAsync(_system.Box, "POST", $"/files/{fileId}/upload_sessions");

        var clash = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(new BoxTarget("0", "taken.bin", null).ToTarget(), 10));
        Assert.Equal(ErrorCode.Conflict, clash.Error);
        Assert.Equal(0, await CountedAsync(_system.Box));

        // "replace": Box's 409 names the file holding the name, and the session is opened on that file.
        var replaced = await CreateAsync(new BoxTarget("0", "taken.bin", null).ToTarget(), 10, conflict: "replace");
        Assert.Equal(1, await CountedAsync(_system.Box));
        var version = await CreateAsync(new BoxTarget(null, null, fileId).ToTarget(), 10);
        Assert.Equal(2, await CountedAsync(_system.Box));
        Assert.NotEqual(replaced.Ref.Id, version.Ref.Id);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("part_size")]
    [InlineData("total_parts")]
    [InlineData("session_expires_at")]
    [InlineData("session_endpoints")]
    [InlineData("commit")]
    public async Task A_create_answer_without_a_member_it_needs_is_502_backend_error_naming_the_backend_and_the_member(string field)
    {
        await FaultAsync(_system.Box, new { kind = "omit", method = "POST", path = "/upload_sessions", field, count = 1 });

        var error = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(new BoxTarget("0", "malformed.bin", null).ToTarget(), 10));

        Assert.Equal(ErrorCode.BackendError, error.Error);
        Assert.Contains("'box'", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boxs_refusals_at_create_become_the_contracts_codes()
    {
        var noFolder = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(new BoxTarget("999999", "a.bin", null).ToTarget(), 10));
        Assert.Equal(ErrorCode.InvalidTarget, noFolder.Error);

        using (var mock = _system.Box.CreateClient())
        {
            (await mock.PatchAsJsonAsync("/_mock/settings", new { min_file_size = 1000 })).EnsureSuccessStatusCode();
        }
        var small = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(new BoxTarget("0", "small.bin", null).ToTarget(), 10));
        Assert.Equal(ErrorCode.InvalidRequest, small.Error);
        Assert.Contains("file_size_too_small", small.Message, StringComparison.Ordinal);

        await FaultAsync(_system.Box, new { kind = "error", method = "POST", path = "/upload_sessions", status = 503, count = 1 });
        var down = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(new BoxTarget("0", "down.bin", null).ToTarget(), 2000));
        Assert.Equal(ErrorCode.BackendUnavailable, down.Error);
    }

    [Fact]
    public async Task An_acknowledgement_of_another_offset_or_SHA_1_than_the_part_sent_is_a_backend_error()
    {
        var created = await CreateAsync(new BoxTarget("0", "ack.bin", null).ToTarget(), 2 * PartSize);
        var session = Session(NewId(), _box, created, 2 * PartSize);
        var sha1 = SHA1.HashData(new byte[] { 1, 2, 3 });
        var digests = new PartDigests(SHA256.HashData(new byte[] { 1, 2, 3 }), sha1);
        var hex = Convert.ToHexStringLower(sha1);

        var right = Answer($$$"""{"part":{"part_id":"0000000A","offset":{{{PartSize}}},"size":{{{PartSize}}},"sha1":"{{{hex}}}"}}""");
        Assert.Equal("0000000A", await _box.AcceptPartAsync(session, 2, digests, right, CancellationToken.None));

        var otherOffset = Answer($$$"""{"part":{"part_id":"0000000A","offset":0,"size":{{{PartSize}}},"sha1":"{{{hex}}}"}}""");
        var otherSha1 = Answer($$$"""{"part":{"part_id":"0000000A","offset":{{{PartSize}}},"size":{{{PartSize}}},"sha1":"{{{new string('0', 40)}}}"}}""");
        var noId = Answer($$$"""{"part":{"offset":{{{PartSize}}},"size":{{{PartSize}}},"sha1":"{{{hex}}}"}}""");
        foreach (var answer in new[] { otherOffset, otherSha1, noId })
        {
            var error = await Assert.ThrowsAsync<GatewayException>(() => _box.AcceptPartAsync(session, 2, digests, answer, CancellationToken.None));
            Assert.Equal(ErrorCode.BackendError, error.Error);
        }
    }

    [Fact]
    public async Task Abort_deletes_the_Box_session_and_aborting_a_session_Box_no_longer_has_is_fine()
    {
        var created = await CreateAsync(new BoxTarget("0", "abort.bin", null).ToTarget(), 10);
        var session = Session(NewId(), _box, created, 10);

        await _box.AbortAsync(session, CancellationToken.None);
        await _box.AbortAsync(session, CancellationToken.None);

        using var mock = _system.BoxClient();
        using var response = await mock.GetAsync(created.Ref.Urls!["status"]);
        Assert.False(response.IsSuccessStatusCode);
    }

    private Task<BackendSession> CreateAsync(UploadTarget target, long length, string conflict = "error") =>
        _box.CreateAsync(new BackendCreate(NewId(), "acme", target, "file", conflict, length, null), CancellationToken.None);

    private static BackendResponse Answer(string json) => new(200, Encoding.UTF8.GetBytes(json), null);

    /// <summary>A whole file in folder 0 through the v1 front; its Box file id.</summary>
    private async Task<string> UploadFileAsync(string name, byte[] file)
    {
        using var client = new ContractClient(_system.Client());
        var id = (await client.CreateBoxFileAsync(file.Length, name)).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        using var complete = await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } });
        var body = JsonDocument.Parse(await complete.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("result").GetProperty("file_id").GetString()!;
    }
}
