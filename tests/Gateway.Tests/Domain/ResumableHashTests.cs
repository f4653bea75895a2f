using System.Security.Cryptography;
using Gateway.Domain;
using Gateway.Tests.Support;

namespace Gateway.Tests.Domain;

/// <summary>
/// The resumable SHA-256 and SHA-1 agree with the platform's for every length and every place a state is saved and
/// restored, with OpenSSL's block function and with the managed one, and a state moves between the two.
/// </summary>
public sealed class ResumableHashTests
{
    public static TheoryData<int, bool> Lengths
    {
        get
        {
            var lengths = new TheoryData<int, bool>();
            foreach (var length in new[] { 0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 64 * 1024 + 3, 1024 * 1024 + 17 })
            {
                lengths.Add(length, true);
                lengths.Add(length, false);
            }
            return lengths;
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Digests_match_the_platforms_when_the_state_moves_to_a_new_instance_at_every_split(int length, bool openSsl)
    {
        var data = TestData.Bytes(length, seed: length + 1);
        var random = new Random(length);
        var splits = Enumerable.Range(0, 4).Select(_ => random.Next(0, length + 1)).Append(0).Append(length).Order().ToArray();
        ResumableHash sha256 = new ResumableSha256(openSsl);
        ResumableHash sha1 = new ResumableSha1(openSsl);
        for (var i = 1; i < splits.Length; i++)
        {
            sha256.Append(data.AsSpan(splits[i - 1], splits[i] - splits[i - 1]));
            sha1.Append(data.AsSpan(splits[i - 1], splits[i] - splits[i - 1]));
            // Every other instance runs the other block function: a saved state means the same to both.
            var next256 = new ResumableSha256(openSsl ^ (i % 2 == 1));
            var next1 = new ResumableSha1(openSsl ^ (i % 2 == 1));
            Assert.True(next256.TryImport(sha256.Export()));
            Assert.True(next1.TryImport(sha1.Export()));
            (sha256, sha1) = (next256, next1);
        }
        Assert.Equal(SHA256.HashData(data), sha256.Digest());
        Assert.Equal(SHA1.HashData(data), sha1.Digest());
        Assert.Equal(length, sha256.BytesHashed);
    }

    [Fact]
    public void OpenSsls_block_functions_load_here()
    {
        // Without them every test above would check the managed functions twice: say so rather than pass.
        Assert.True(OperatingSystem.IsLinux(), "the gateway's OpenSSL block functions are libcrypto.so.3's");
        Assert.True(OpenSslBlocks.Sha256(ResumableSha256.Initial.ToArray(), new byte[64]));
        Assert.True(OpenSslBlocks.Sha1(ResumableSha1.Initial.ToArray(), new byte[64]));
    }

    [Fact]
    public void Taking_a_digest_leaves_the_state_as_it_was()
    {
        var data = TestData.Bytes(300, seed: 9);
        var hash = new ResumableSha256();
        hash.Append(data.AsSpan(0, 100));
        _ = hash.Digest();
        hash.Append(data.AsSpan(100));
        Assert.Equal(SHA256.HashData(data), hash.Digest());
    }

    [Fact]
    public void A_state_of_the_other_algorithm_or_a_cut_one_is_refused()
    {
        var sha1 = new ResumableSha1();
        sha1.Append(new byte[70]);
        var state = sha1.Export();
        Assert.False(new ResumableSha256().TryImport(state));
        Assert.False(new ResumableSha1().TryImport(state.AsSpan(0, state.Length - 1)));
        Assert.True(new ResumableSha1().TryImport(state));
    }
}
