using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using MockBox.Tests.Support;

namespace MockBox.Tests.Sessions;

public sealed class LargeFileTests
{
    /// <summary>100 MiB and a bit, so the last part is shorter than the others.</summary>
    private const long FileSize = 100L * 1024 * 1024 + 12_345;
    private const long Seed = 100;

    [Fact]
    public async Task File_of_100_MiB_sent_in_parallel_parts_out_of_order_with_one_resend_commits_and_reads_back_byte_exact()
    {
        // Box's defaults: 8 MiB parts, 20,000,000-byte minimum.
        await using var box = await MockBoxHost.StartAsync(new Dictionary<string, string?> { ["MockBox:PartSize"] = null, ["MockBox:MinFileSize"] = null });
        var session = await box.CreateSessionAsync(FileSize, name: "large.bin");
        Assert.Equal(8388608, session.PartSize);
        Assert.Equal(13, session.TotalParts);

        var offsets = Enumerable.Range(0, session.TotalParts).Select(index => index * session.PartSize).ToArray();
        new Random(42).Shuffle(offsets);
        var parts = new ConcurrentDictionary<long, JsonElement>();
        await Parallel.ForEachAsync(offsets, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (offset, _) =>
        {
            // Every other part goes chunked, the rest with Content-Length.
            using var response = await box.PutPartAsync(session, Seed, offset, Math.Min(session.PartSize, FileSize - offset),
                chunked: offset / session.PartSize % 2 == 1);
            parts[offset] = (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("part");
        });

        // A resend, as after a response lost in a 5xx: the same part comes back.
        var resent = offsets[5];
        using (var resend = await box.PutPartAsync(session, Seed, resent, session.PartSize))
        {
            Assert.Equal(parts[resent].GetRawText(), (await BoxAssert.StatusAsync(resend, HttpStatusCode.OK)).GetProperty("part").GetRawText());
        }

        using (var list = await box.Client.GetAsync(session.Endpoint("list_parts") + "?limit=1000"))
        {
            var listed = await BoxAssert.StatusAsync(list, HttpStatusCode.OK);
            Assert.Equal(session.TotalParts, listed.GetProperty("total_count").GetInt64());
            Assert.Equal(offsets.Order(), listed.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()));
        }

        using var commit = await box.CommitAsync(session, parts.Values, MockBoxHost.WholeFileDigest(Seed, FileSize));
        var file = (await BoxAssert.StatusAsync(commit, HttpStatusCode.Created)).GetProperty("entries")[0];
        Assert.Equal(FileSize, file.GetProperty("size").GetInt64());
        Assert.Equal(TestData.Sha1Hex(Seed, 0, FileSize), file.GetProperty("sha1").GetString());

        using var content = await box.Client.GetAsync($"/2.0/files/{file.GetProperty("id").GetString()}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(FileSize, content.Content.Headers.ContentLength);
        await TestData.AssertStreamEqualsAsync(Seed, 0, FileSize, await content.Content.ReadAsStreamAsync());
    }
}
