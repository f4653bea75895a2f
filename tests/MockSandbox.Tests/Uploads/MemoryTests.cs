using System.Net;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Uploads;

/// <summary>Runs alone (after the parallel tests), so the process's allocation counter sees only this upload.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsCollection;

[Collection(nameof(MemoryTests))]
public sealed class MemoryTests
{
    [Fact]
    public async Task Receiving_and_publishing_a_large_part_allocates_a_small_fraction_of_it()
    {
        const long Size = 64L * 1024 * 1024;
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:PartSize"] = Size.ToString() });
        var id = (await mock.CreateFileSessionAsync(Size)).Id();

        var before = GC.GetTotalAllocatedBytes(precise: true);
        using (var response = await mock.PutGeneratedPartAsync(id, 0, 120, Size, Size))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await mock.CompleteOkAsync(id);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Client and server together; a part held in memory anywhere would be 64 MiB on its own.
        Assert.True(allocated < Size / 4, $"{allocated / 1024} KiB allocated for a {Size / 1024 / 1024} MiB part");
    }
}
