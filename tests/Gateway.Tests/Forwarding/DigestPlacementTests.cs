using System.Net.Http.Json;
using System.Security.Cryptography;
using Gateway.Backends;
using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Forwarding;

/// <summary>
/// Each part's bytes verified once (README.md, "Which digest is checked where"): a client digest the backend
/// checks itself passes through unhashed, the gateway hashes the rest, and whoever checks, a part is recorded
/// only with digests that match its bytes, a wrong digest is <c>checksum_mismatch</c> and a retry with other
/// bytes is <c>part_conflict</c>.
/// </summary>
public sealed class DigestPlacementTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    private static readonly BackendRules Sandbox = new SandboxBackend(BackendContexts.Offline("sandbox", "sandbox"), new SandboxSettings()).Rules;
    private static readonly BackendRules Box = new BoxBackend(BackendContexts.Offline("box", "box")).Rules;

    // Kinds as flags: 1 SHA-256, 2 SHA-1 (DigestKinds is internal, theory parameters are public).
    [Theory]
    [InlineData("sandbox", 0, 1)]
    [InlineData("sandbox", 1, 0)]
    [InlineData("sandbox", 2, 3)]
    [InlineData("sandbox", 3, 2)]
    [InlineData("box", 0, 2)]
    [InlineData("box", 1, 3)]
    [InlineData("box", 2, 0)]
    [InlineData("box", 3, 1)]
    public void The_gateway_hashes_only_what_the_backend_does_not_check_of_the_client_s_digests(string backend, int sentKinds, int hashedKinds)
    {
        var (sent, hashed) = ((DigestKinds)sentKinds, (DigestKinds)hashedKinds);
        var claimed = new PartDigests(sent.HasFlag(DigestKinds.Sha256) ? new byte[32] : null, sent.HasFlag(DigestKinds.Sha1) ? new byte[20] : null);

        Assert.Equal(hashed, PartForwarder.KindsToHash(claimed, backend == "sandbox" ? Sandbox : Box));
    }

    [Fact]
    public async Task A_digest_left_unhashed_is_passed_on_as_claimed_and_the_length_is_still_enforced()
    {
        var bytes = TestData.Bytes(5000);
        var claimed = new PartDigests(new byte[32], null);
        using var exact = new PartBodyStream(new MemoryStream(bytes), bytes.Length, claimed, DigestKinds.None);
        using var longer = new PartBodyStream(new MemoryStream(bytes), bytes.Length - 1, claimed, DigestKinds.None);

        Assert.Same(claimed.Sha256, (await exact.DrainAsync(default)).Sha256);
        var refused = await Assert.ThrowsAsync<PartBodyException>(() => longer.DrainAsync(default));
        Assert.Equal(ErrorCode.PartSizeMismatch, refused.Error);
    }

    public static TheoryData<string, bool, bool> Sent => new()
    {
        { "sandbox", false, false }, { "sandbox", true, false }, { "sandbox", false, true }, { "sandbox", true, true },
        { "box", false, false }, { "box", true, false }, { "box", false, true }, { "box", true, true },
    };

    [Theory]
    [MemberData(nameof(Sent))]
    public async Task A_part_is_recorded_with_the_digests_of_its_bytes_whichever_digests_the_client_sent(string backend, bool sha256, bool sha1)
    {
        var (system, client, id, file) = await StartAsync(backend);
        await using var _ = system;
        var part = Slice(file, 1, PartSize);
        var digest = sha256 || sha1 ? TestData.ContentDigest(part, sha256, sha1) : null;

        var body = await client.PutPartOkAsync(id, 1, file, PartSize, digest);

        // A part is known by the digest its backend checks (the sandbox's SHA-256, Box's SHA-1) and carries the
        // other only when the client sent it: nobody hashes what nobody asked for.
        if (backend == "sandbox" || sha256)
        {
            Assert.Equal(TestData.Sha256Hex(part), body.GetProperty("sha256").GetString());
        }
        else
        {
            Assert.False(body.TryGetProperty("sha256", out var sha256Property), sha256Property.ToString());
        }
        if (backend == "box" || sha1)
        {
            Assert.Equal(TestData.Sha1Hex(part), body.GetProperty("sha1").GetString());
        }
        else
        {
            Assert.False(body.TryGetProperty("sha1", out var sha1Property), sha1Property.ToString());
        }
        Assert.Equal(PartSize, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
        // The recorded digest is the bytes' own: the same bytes again, without a digest, are the same part.
        var again = await client.PutPartOkAsync(id, 1, file, PartSize);
        Assert.Equal(1, again.GetProperty("parts_received").GetInt32());
    }

    public static TheoryData<string, bool, bool> Wrong => new()
    {
        // backend, wrong SHA-256, wrong SHA-1; the other one (if any) right.
        { "sandbox", true, false }, { "sandbox", false, true }, { "sandbox", true, true },
        { "box", true, false }, { "box", false, true }, { "box", true, true },
    };

    [Theory]
    [MemberData(nameof(Wrong))]
    public async Task A_wrong_client_digest_is_a_checksum_mismatch_whoever_checks_it_and_nothing_is_kept(string backend, bool wrongSha256, bool wrongSha1)
    {
        var (system, client, id, file) = await StartAsync(backend);
        await using var _ = system;
        var part = Slice(file, 1, PartSize);
        var other = TestData.Bytes(PartSize, seed: 77);
        var members = new List<string>
        {
            TestData.ContentDigest(wrongSha256 ? other : part),
            TestData.ContentDigest(wrongSha1 ? other : part, sha256: false, sha1: true),
        };

        using var response = await client.PutPartAsync(id, 1, part, string.Join(", ", members));

        await ExpectProblemAsync(response, 400, "checksum_mismatch");
        var status = await client.GetOkAsync(id);
        Assert.Equal(0, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(0, status.GetProperty("parts_in_flight").GetInt32());
        // Neither the gateway nor the backend kept the refused part: the right bytes with their digests go in.
        await client.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(part, sha256: true, sha1: true));
    }

    [Theory]
    [MemberData(nameof(Sent))]
    public async Task A_retried_part_with_other_bytes_is_a_part_conflict_after_a_part_whose_digest_the_backend_checked(string backend, bool sha256, bool sha1)
    {
        var (system, client, id, file) = await StartAsync(backend);
        await using var _ = system;
        var part = Slice(file, 2, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize, TestData.ContentDigest(part, sha256: backend == "sandbox", sha1: backend == "box"));
        var other = TestData.Bytes(PartSize, seed: 78);

        using var response = await client.PutPartAsync(id, 2, other, sha256 || sha1 ? TestData.ContentDigest(other, sha256, sha1) : null);

        await ExpectProblemAsync(response, 409, "part_conflict");
        Assert.Equal(PartSize, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task A_retried_part_with_other_bytes_that_claims_the_recorded_digest_is_refused(string backend)
    {
        var (system, client, id, file) = await StartAsync(backend);
        await using var _ = system;
        var part = Slice(file, 1, PartSize);
        var digest = TestData.ContentDigest(part, sha256: backend == "sandbox", sha1: backend == "box");
        await client.PutPartOkAsync(id, 1, file, PartSize, digest);

        // The retry's bytes reach no backend, so the gateway checks them itself, whatever the digest says.
        using var response = await client.PutPartAsync(id, 1, TestData.Bytes(PartSize, seed: 79), digest);

        await ExpectProblemAsync(response, 400, "checksum_mismatch");
        var status = await client.GetOkAsync(id);
        Assert.Equal(PartSize, status.GetProperty("accepted_bytes").GetInt64());
    }

    [Fact]
    public async Task A_box_part_whose_answer_was_lost_is_recorded_when_its_sha_matches_boxs_parts_list_and_other_bytes_are_a_conflict()
    {
        var (system, client, id, file) = await StartAsync("box");
        await using var _ = system;
        var part = Slice(file, 1, PartSize);
        // Box holds part 1 but the gateway never recorded it (an instance died between Box's 200 and the store).
        var session = await system.Gateway.Services.GetRequiredService<ISessionStore>().GetAsync(id, null, default);
        using (var box = system.BoxClient())
        {
            var direct = new HttpRequestMessage(HttpMethod.Put, session!.BackendSession.Urls!["upload_part"]) { Content = new ByteArrayContent(part) };
            direct.Content.Headers.ContentRange = new(0, PartSize - 1, file.Length);
            direct.Headers.TryAddWithoutValidation("Digest", "sha=" + Convert.ToBase64String(SHA1.HashData(part)));
            (await box.SendAsync(direct)).EnsureSuccessStatusCode();
        }
        // Real Box answers a resent range with 416 before it reads the body; the mock is told to answer as Box would.
        await InjectAsync(system, new { kind = "error", method = "PUT", status = 416, code = "range_overlaps_existing_part", count = 2 });

        // Other bytes with their own digests: Box's parts list holds another SHA-1, so nothing is recorded.
        var other = TestData.Bytes(PartSize, seed: 80);
        using var conflict = await client.PutPartAsync(id, 1, other, TestData.ContentDigest(other, sha256: true, sha1: true));
        await ExpectProblemAsync(conflict, 409, "part_conflict");
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());

        // The same bytes with both digests, as the client library sends them: the sha matches Box's list, the part counts.
        using var resent = await client.PutPartAsync(id, 1, part, TestData.ContentDigest(part, sha256: true, sha1: true));
        Assert.Equal(200, (int)resent.StatusCode);
        Assert.Equal(PartSize, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
    }

    private static async Task InjectAsync(GatewayHarness system, object rule)
    {
        using var http = system.Box.CreateClient();
        using var response = await http.PostAsJsonAsync("/_mock/faults", rule);
        response.EnsureSuccessStatusCode();
    }

    private async Task<(GatewayHarness System, ContractClient Client, string Id, byte[] File)> StartAsync(string backend)
    {
        var system = await GatewayHarness.StartAsync(redis);
        var client = new ContractClient(system.Client());
        var file = TestData.Bytes(3 * PartSize, seed: 4);
        var created = backend == "sandbox"
            ? await client.CreateSandboxFileAsync(file.Length, "/workspace/digests-" + Guid.NewGuid().ToString("N") + ".bin")
            : await client.CreateBoxFileAsync(file.Length, "digests-" + Guid.NewGuid().ToString("N") + ".bin");
        return (system, client, created.GetProperty("upload_id").GetString()!, file);
    }
}
