using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Tests.Support;
using static Gateway.Tests.Backends.BackendCalls;
using Gateway.Backends.Sandbox;

namespace Gateway.Tests.Backends;

/// <summary>
/// <c>Backends/Sandbox/SandboxBackend</c> against mock-sandbox on a loopback port: what it sends (the create's
/// body, its <c>Idempotency-Key</c>s, the session's paths), how it reads the answers into the core's records, and
/// how it maps the sandbox's errors, a malformed answer included, to the contract's codes.
/// </summary>
public sealed class SandboxBackendTests : IAsyncLifetime
{
    private const int PartSize = GatewayHarness.PartSize;
    private GatewayHarness _system = null!;
    private IUploadBackend _sandbox = null!;

    public async Task InitializeAsync()
    {
        _system = await GatewayHarness.StartAsync();
        _sandbox = Backend(_system, "sandbox");
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Create_sends_the_target_and_size_and_reads_the_sandboxs_session_into_the_cores_record()
    {
        var id = NewId();
        var created = await CreateAsync(id, "/workspace/backend/create.bin", 2 * PartSize + 5, user: "builder");

        Assert.Equal(PartSize, created.PartSize);
        Assert.Equal(3, created.PartCount);
        Assert.Equal("/workspace/backend/create.bin", SandboxTarget.Of(created.Target).Path);
        Assert.Equal(8, created.MaxConcurrency);
        Assert.NotNull(created.ExpiresAt);
        var status = await StatusAsync(created.Ref.Id);
        Assert.Equal(2 * PartSize + 5, status.GetProperty("content_length").GetInt64());
        Assert.Equal("/workspace/backend/create.bin", status.GetProperty("target_path").GetString());
        Assert.Equal("builder", status.GetProperty("user").GetString());
        Assert.Equal("restartable_file", status.GetProperty("source_kind").GetString());
    }

    [Fact]
    public async Task A_create_sent_again_for_the_same_upload_gets_the_same_sandbox_session_by_its_idempotency_key()
    {
        var id = NewId();
        var first = await CreateAsync(id, "/workspace/backend/again.bin", 10);
        var again = await CreateAsync(id, "/workspace/backend/again.bin", 10);
        var other = await CreateAsync(NewId(), "/workspace/backend/again-other.bin", 10);

        Assert.Equal(first.Ref.Id, again.Ref.Id);
        Assert.NotEqual(first.Ref.Id, other.Ref.Id);
    }

    [Fact]
    public async Task Complete_publishes_and_reads_what_was_published_and_a_repeat_replays_the_first_answer()
    {
        using var client = new ContractClient(_system.Client());
        var file = TestData.Bytes(PartSize + 10, seed: 31);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/backend/complete.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);
        var store = _system.Gateway.GetRequiredService<ISessionStore>();
        var session = (await store.GetAsync(id, "acme", CancellationToken.None))!;
        var parts = await store.ListPartsAsync(id, CancellationToken.None);

        var outcome = await _sandbox.CompleteAsync(session, parts, new WholeChecksums { Sha256 = TestData.Sha256Hex(file) }, CancellationToken.None);
        var repeat = await _sandbox.CompleteAsync(session, parts, new WholeChecksums { Sha256 = TestData.Sha256Hex(file) }, CancellationToken.None);

        var result = Assert.IsType<CommitOutcome.Completed>(outcome).Result;
        Assert.Equal("/workspace/backend/complete.bin", result.Path);
        Assert.Equal(file.Length, result.Size);
        Assert.Equal(1, result.FileCount);
        Assert.Equal(result, Assert.IsType<CommitOutcome.Completed>(repeat).Result);
    }

    [Fact]
    public async Task Abort_ends_the_sandbox_session_and_a_second_abort_of_a_session_it_no_longer_knows_is_fine()
    {
        var id = NewId();
        var created = await CreateAsync(id, "/workspace/backend/abort.bin", 10);
        var session = Session(id, _sandbox, created, 10);

        await _sandbox.AbortAsync(session, CancellationToken.None);
        await _sandbox.AbortAsync(session, CancellationToken.None);

        using var mock = _system.SandboxClient();
        using var response = await mock.GetAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/uploads/{created.Ref.Id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(!response.IsSuccessStatusCode || JsonDocument.Parse(text).RootElement.GetProperty("status").GetString() == "aborted", text);
    }

    [Theory]
    [InlineData("upload_id")]
    [InlineData("part_size")]
    [InlineData("part_count")]
    [InlineData("target_path")]
    [InlineData("expires_at")]
    public async Task A_create_answer_without_a_member_it_needs_is_502_backend_error_naming_the_backend_and_the_member(string field)
    {
        await FaultAsync(_system.Sandbox, new { kind = "omit", method = "POST", path = "/uploads", field, count = 1 });

        var error = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(NewId(), "/workspace/backend/malformed.bin", 10));

        Assert.Equal(ErrorCode.BackendError, error.Error);
        Assert.Contains("'sandbox'", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sandboxs_refusals_become_the_contracts_codes()
    {
        var missing = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(NewId(), "/workspace/a", 10, sandbox: "sb_nosuchbox"));
        Assert.Equal(ErrorCode.InvalidTarget, missing.Error);

        var tooLarge = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(NewId(), "/workspace/backend/huge.bin", 6L << 30));
        Assert.Equal(ErrorCode.UploadTooLarge, tooLarge.Error);

        await PatchSandboxAsync(new { ready = false });
        var notReady = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(NewId(), "/workspace/backend/later.bin", 10));
        Assert.Equal(ErrorCode.BackendUnavailable, notReady.Error);
        Assert.NotNull(notReady.RetryAfter);
        await PatchSandboxAsync(new { ready = true });

        await PatchSandboxAsync(new { limits = new { sandbox_staging_quota_bytes = 100 } });
        var full = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(NewId(), "/workspace/backend/full.bin", 101));
        Assert.Equal(ErrorCode.QuotaExceeded, full.Error);
    }

    [Fact]
    public async Task An_error_answer_that_is_not_the_sandboxs_envelope_is_not_taken_for_a_refusal_of_the_target()
    {
        await FaultAsync(_system.Sandbox, new { kind = "error", method = "POST", path = "/uploads", status = 500, code = "boom", count = 10 });

        var error = await Assert.ThrowsAsync<GatewayException>(() => CreateAsync(NewId(), "/workspace/backend/boom.bin", 10));

        Assert.NotEqual(ErrorCode.InvalidTarget, error.Error);
        Assert.True(error.Error.Status >= 500, $"{error.Error.Code} {error.Message}");
    }

    private Task<BackendSession> CreateAsync(string id, string path, long length, string? user = null, string sandbox = GatewayHarness.SandboxId) =>
        _sandbox.CreateAsync(new BackendCreate(id, "acme", new SandboxTarget(sandbox, path, user).ToTarget(), "file", "error", length, null),
            CancellationToken.None);

    private async Task<JsonElement> StatusAsync(string backendId)
    {
        using var mock = _system.SandboxClient();
        return await mock.GetFromJsonAsync<JsonElement>($"/v1/sandboxes/{GatewayHarness.SandboxId}/uploads/{backendId}");
    }

    private async Task PatchSandboxAsync(object change)
    {
        using var mock = _system.Sandbox.CreateClient();
        using var response = await mock.PatchAsJsonAsync($"/_mock/sandboxes/{GatewayHarness.SandboxId}", change);
        response.EnsureSuccessStatusCode();
    }
}
