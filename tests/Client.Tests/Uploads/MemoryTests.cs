using Client.Tests.Support;
using Gateway.Tests.Support;
using UploadGateway.Client;

namespace Client.Tests.Uploads;

/// <summary>Tests that measure the whole process, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public sealed class AloneCollection;

[Collection(nameof(AloneCollection))]
public sealed class MemoryTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    [Fact]
    public async Task A_whole_60_MiB_upload_allocates_far_less_than_the_file()
    {
        var length = 60L * 1024 * 1024;
        var file = system.NewFile(length, seed: 91);
        using var client = system.Client();
        var destination = new UploadDestination("sandbox", UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/memory.bin"));
        // Warm up first, so that start-up costs (JIT, connection pools) are not counted.
        await client.UploadFileAsync(system.NewFile(GatewayHarness.PartSize, seed: 92), destination with { Target = UploadTarget.Sandbox(GatewayHarness.SandboxId, "/workspace/up/warm.bin") });

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await client.UploadFileAsync(file, destination);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Everything in this process counts: client, gateway and both mocks (about 14 MiB together when measured).
        // Each streams, so the total stays far below the file; a client that read the file or its parts into
        // fresh buffers would pass the limit on its own.
        Assert.True(allocated < length / 2, $"{allocated / 1024 / 1024} MiB allocated to upload {length / 1024 / 1024} MiB");
        await system.AssertInSandboxAsync(file, "/workspace/up/memory.bin");
    }
}
