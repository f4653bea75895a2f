using System.Security.Cryptography;
using Gateway.Domain;
using Gateway.Forwarding;

namespace Gateway.Tests.Forwarding;

/// <summary>Box parts sent without a SHA-1 are spooled to disk first: verified on the way, deleted when done.</summary>
public sealed class PartSpoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("spool-test-").FullName;

    [Fact]
    public async Task A_spooled_part_reads_back_whole_and_knows_its_digests_before_it_is_forwarded()
    {
        var part = RandomNumberGenerator.GetBytes(300_000);
        using var body = new PartBodyStream(new MemoryStream(part), part.Length, PartDigests.None, DigestKinds.Sha256 | DigestKinds.Sha1);

        await using (var spool = await PartSpool.FillAsync(_directory, body, default))
        {
            Assert.Equal(SHA1.HashData(part), body.Digests!.Sha1);
            using var copy = new MemoryStream();
            await spool.Content.CopyToAsync(copy);
            Assert.Equal(part, copy.ToArray());
            Assert.Single(Directory.GetFiles(_directory));
        }

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_part_that_breaks_its_rule_while_spooling_leaves_no_file()
    {
        var part = RandomNumberGenerator.GetBytes(1000);
        using var body = new PartBodyStream(new MemoryStream(part), part.Length + 1, PartDigests.None, DigestKinds.Sha256 | DigestKinds.Sha1);

        var refusal = await Assert.ThrowsAsync<PartBodyException>(() => PartSpool.FillAsync(_directory, body, default));

        Assert.Equal(ErrorCode.PartSizeMismatch, refusal.Error);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
