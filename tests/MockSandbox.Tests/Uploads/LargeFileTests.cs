using System.Net;
using System.Text.Json.Nodes;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Uploads;

public sealed class LargeFileTests
{
    [Fact]
    public async Task A_100_MiB_file_in_parallel_parts_out_of_order_with_replays_lands_byte_exact()
    {
        const long Size = 100L * 1024 * 1024 + 12345;
        const long PartSize = 4L * 1024 * 1024;
        const long Seed = 100;
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?>
        {
            ["MockSandbox:PartSize"] = PartSize.ToString(),
            ["MockSandbox:MaxConcurrency"] = "8",
        });
        var body = SandboxMockHost.FileBody(Size, "/data/big.bin");
        body["whole_checksum_sha256"] = TestData.Sha256Hex(Seed, 0, Size);
        var session = await mock.CreateSessionAsync(body);
        var id = session.Id();
        var partCount = (uint)session.Long("part_count");
        Assert.Equal(26u, partCount);

        // Every part once, shuffled, then a handful again (same bytes): a client retrying lost responses.
        var random = new Random(42);
        var order = Enumerable.Range(0, (int)partCount).Select(p => (uint)p).OrderBy(_ => random.Next()).ToList();
        order.AddRange(order.Take(5));
        Assert.NotEqual(order.Take((int)partCount).Order(), order.Take((int)partCount));

        // At most 4 in flight on our side, under the session's 8: no 429 can come back.
        using var slots = new SemaphoreSlim(4);
        var uploads = order.Select(async part =>
        {
            await slots.WaitAsync();
            try
            {
                using var response = await mock.PutGeneratedPartAsync(id, part, Seed, Size, PartSize);
                return (part, (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).Long("accepted_bytes"));
            }
            finally
            {
                slots.Release();
            }
        });
        var results = await Task.WhenAll(uploads);
        Assert.Equal(order.Count, results.Length);

        var status = await mock.GetStatusAsync(id);
        Assert.Equal("staged", status.Status());
        Assert.Equal(Size, status.Long("accepted_bytes"));
        Assert.True(status.IsNull("next_part"));

        var completed = await mock.CompleteOkAsync(id);
        Assert.Equal(Size, completed.Long("published_bytes"));

        using var download = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/data/big.bin"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        await using var stream = await download.Content.ReadAsStreamAsync();
        await TestData.AssertStreamEqualsAsync(Seed, 0, Size, stream);
    }
}
