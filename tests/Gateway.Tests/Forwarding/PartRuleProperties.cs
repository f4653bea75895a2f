using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Gateway.Api.V1;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;

namespace Gateway.Tests.Forwarding;

/// <summary>
/// Property-based tests (FsCheck) of the part rule of the contract (README.md) and of what enforces it: parts tile the
/// object exactly, ranges are what Box expects, gaps are reported exactly, and a part body passes only at
/// its exact length and digest.
/// </summary>
public sealed class PartRuleProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>Lengths up to 2^50 bytes (a petabyte), part sizes up to 2^31, in ratios that keep part counts within int.</summary>
    private static readonly Arbitrary<(long Length, long PartSize)> Sizes = Arb.From(
        from partSize in Gen.Choose(1, int.MaxValue).Select(p => (long)p)
        from parts in Gen.Choose(0, 20_000)
        from tail in Gen.Choose(0, int.MaxValue)
        select (Math.Max(0, parts * partSize - tail % partSize), partSize));

    [Fact]
    public void Parts_tile_the_object_exactly_with_only_the_last_one_shorter()
    {
        Check.One(Runs, Prop.ForAll(Sizes, s =>
        {
            var count = PartMath.PartCount(s.Length, s.PartSize);
            long covered = 0;
            for (var n = 1; n <= count; n++)
            {
                var size = PartMath.SizeOf(s.Length, s.PartSize, n);
                if (PartMath.OffsetOf(s.PartSize, n) != covered || size <= 0 || size > s.PartSize || (n < count && size != s.PartSize))
                {
                    return false;
                }
                covered += size;
            }
            return covered == s.Length && count == (s.Length + s.PartSize - 1) / s.PartSize;
        }));
    }

    [Fact]
    public void Every_part_maps_to_a_content_range_box_accepts()
    {
        // Box's "upload part" (https://developer.box.com/reference/put-files-upload-sessions-id/): the first byte is a multiple of part_size; the last is first + part_size - 1,
        // or file_size - 1 for the final part.
        Check.One(Runs, Prop.ForAll(Sizes, s =>
        {
            var count = PartMath.PartCount(s.Length, s.PartSize);
            return Enumerable.Range(1, Math.Min(count, 50)).Concat(count > 50 ? [count] : []).All(n =>
            {
                var first = PartMath.OffsetOf(s.PartSize, n);
                var last = first + PartMath.SizeOf(s.Length, s.PartSize, n) - 1;
                return first % s.PartSize == 0 && last < s.Length && (last == first + s.PartSize - 1 || (n == count && last == s.Length - 1));
            });
        }));
    }

    [Fact]
    public void Missing_parts_and_next_part_describe_exactly_what_was_not_received()
    {
        var received = Arb.From(
            from count in Gen.Choose(0, 300)
            from flags in Gen.ListOf(Gen.Elements(true, false), count)
            select (Count: count, Received: flags.Select((got, i) => (got, n: i + 1)).Where(x => x.got).Select(x => x.n).ToArray()));
        Check.One(Runs, Prop.ForAll(received, r =>
        {
            var missing = Expand(PartMath.MissingRanges(r.Received, r.Count));
            var expected = Enumerable.Range(1, r.Count).Except(r.Received).ToArray();
            return missing.SequenceEqual(expected) && PartMath.NextPart(r.Received, r.Count) == (expected.Length > 0 ? expected[0] : null);
        }));
    }

    [Fact]
    public void Content_digest_parsing_never_throws_whatever_the_header()
    {
        var headers = Arb.From(Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>(),
            from key in Gen.Elements("sha-256", "sha", "md5", "SHA", "", "x y")
            from bytes in Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
            from wrap in Gen.Elements(":{0}:", "{0}", ":{0}", "\"{0}\"")
            select key + "=" + string.Format(System.Globalization.CultureInfo.InvariantCulture, wrap, Convert.ToBase64String(bytes))));
        Check.One(Runs, Prop.ForAll(headers, header =>
        {
            var ok = ContentDigest.TryParse(header, out var digests, out var error);
            return ok ? error is null && (digests.Sha256 is null || digests.Sha256.Length == 32) : error is not null;
        }));
    }

    [Fact]
    public void A_part_body_passes_only_at_its_exact_length_and_yields_its_sha256()
    {
        var cases = Arb.From(
            from length in Gen.Choose(0, 70_000)
            from delta in Gen.Elements(0, 0, 0, -1, 1, -1000, 1000)
            from chunk in Gen.Choose(1, 20_000)
            from seed in Gen.Choose(0, 1000)
            select (Length: length, Actual: Math.Max(0, length + delta), Chunk: chunk, Seed: seed));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(cases, c =>
        {
            var bytes = new byte[c.Actual];
            new Random(c.Seed).NextBytes(bytes);
            using var body = new PartBodyStream(new ChunkedStream(bytes, c.Chunk), c.Length, PartDigests.None, DigestKinds.Sha256 | DigestKinds.Sha1);
            try
            {
                var digests = body.DrainAsync(default).GetAwaiter().GetResult();
                return c.Actual == c.Length
                    && digests.Sha256!.AsSpan().SequenceEqual(SHA256.HashData(bytes))
                    && digests.Sha1!.AsSpan().SequenceEqual(SHA1.HashData(bytes));
            }
            catch (PartBodyException e)
            {
                return c.Actual != c.Length && e.Error == ErrorCode.PartSizeMismatch;
            }
        }));
    }

    [Fact]
    public void A_part_body_with_a_wrong_claimed_digest_never_releases_its_last_byte()
    {
        var cases = Arb.From(from length in Gen.Choose(1, 50_000) from chunk in Gen.Choose(1, 9000) select (Length: length, Chunk: chunk));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(cases, c =>
        {
            var bytes = new byte[c.Length];
            var claimed = new PartDigests(SHA256.HashData([1, 2, 3]), null);
            using var body = new PartBodyStream(new ChunkedStream(bytes, c.Chunk), c.Length, claimed, DigestKinds.Sha256 | claimed.Kinds);
            var buffer = new byte[4096];
            long released = 0;
            try
            {
                int read;
                while ((read = body.ReadAsync(buffer).AsTask().GetAwaiter().GetResult()) > 0)
                {
                    released += read;
                }
                return false;
            }
            catch (PartBodyException e)
            {
                return e.Error == ErrorCode.ChecksumMismatch && released < c.Length;
            }
        }));
    }

    private static IEnumerable<int> Expand(string ranges) =>
        ranges.Length == 0
            ? []
            : ranges.Split(',').SelectMany(range =>
            {
                var bounds = range.Split('-').Select(int.Parse).ToArray();
                return Enumerable.Range(bounds[0], bounds[^1] - bounds[0] + 1);
            });

    /// <summary>A body that arrives in chunks of a given size, as from a socket.</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
