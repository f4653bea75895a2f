using Gateway.Tests.Api.Box;
using Gateway.Tests.Api.Tus;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Backends.S3.S3System;

namespace Gateway.Tests.Backends.S3;

/// <summary>
/// The other fronts into an S3 backend, driven by their unmodified third-party clients: tus-js-client (chunks of
/// 3 MiB, under S3's 5 MiB minimum part, and parallel partials) and Box's Node SDK through the Box front into a folder
/// mapped to a key prefix. Objects read back through the AWS SDK, byte for byte.
/// </summary>
public sealed class S3FrontsTests(RedisServer redis, CephRgw rgw) : IClassFixture<RedisServer>, IClassFixture<CephRgw>
{
    private const string MappedFolder = "777";

    private Task<GatewayHarness> StartAsync() => S3System.StartAsync(redis, rgw, gateway: s =>
    {
        s["Gateway:Tenants:acme:Tus:Backend"] = Backend;
        s["Gateway:Tenants:acme:Tus:Target:prefix"] = "tus/";
        s[$"Gateway:Tenants:acme:BoxFront:Folders:{MappedFolder}:Backend"] = Backend;
        s[$"Gateway:Tenants:acme:BoxFront:Folders:{MappedFolder}:Target:prefix"] = "box/";
    });

    [RgwFact]
    public async Task Tus_js_client_chunks_of_3_MiB_interrupted_on_one_instance_resume_on_the_other_into_the_default_prefix()
    {
        await using var system = await StartAsync();
        await using var second = await system.StartGatewayAsync();
        var file = TestData.Bytes(12 * MiB + 1234, seed: 41);
        var path = Write(file);
        try
        {
            var result = await TusJsClient.RunAsync(new
            {
                scenario = "interrupt",
                endpoint = system.Gateway.BaseAddress + "tus/",
                resumeEndpoint = second.BaseAddress + "tus/",
                key = GatewayHarness.AcmeKey,
                file = path,
                chunkSize = 3 * MiB,
                abortAfter = 6 * MiB,
                metadata = new { filename = "chunked.bin" },
            });
            var url = result.GetProperty("url").GetString()!;
            Assert.StartsWith(second.BaseAddress.ToString(), url);
            Assert.Equal(file, await ReadAsync(rgw, "tus/chunked.bin"));
            // tus-js-client sends no whole-object digest and S3 checks none at completion: nothing was hashed or
            // read back, so the session reports no digest rather than one no one checked.
            using var client = new ContractClient(system.Client());
            var session = await client.GetOkAsync(url[(url.LastIndexOf('/') + 1)..]);
            Assert.Equal("completed", session.GetProperty("status").GetString());
            Assert.False(session.GetProperty("result").TryGetProperty("sha256", out _));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [RgwFact]
    public async Task Tus_js_client_parallel_uploads_are_concatenated_into_one_object_at_the_key_its_metadata_names()
    {
        await using var system = await StartAsync();
        var file = TestData.Bytes(11 * MiB + 77, seed: 42);
        var path = Write(file);
        try
        {
            await TusJsClient.RunAsync(new
            {
                scenario = "upload",
                endpoint = system.Gateway.BaseAddress + "tus/",
                key = GatewayHarness.AcmeKey,
                file = path,
                parallelUploads = 3,
                metadata = new { backend = Backend, key = "tus-parallel/whole.bin" },
            });
            Assert.Equal(file, await ReadAsync(rgw, "tus-parallel/whole.bin"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [RgwFact]
    public async Task The_box_sdk_uploads_through_the_box_front_into_the_prefix_its_folder_maps_to()
    {
        await using var system = await StartAsync();
        var file = TestData.Bytes(11 * MiB + 5, seed: 43);
        var path = Write(file);
        try
        {
            var entry = await BoxSdk.UploadAsync("v10", system.Gateway.BaseAddress, GatewayHarness.AcmeKey, path, MappedFolder, "from-box.bin");

            Assert.Equal("from-box.bin", entry.GetProperty("name").GetString());
            Assert.Equal(TestData.Sha1Hex(file), entry.GetProperty("sha1").GetString());
            Assert.Equal(file, await ReadAsync(rgw, "box/from-box.bin"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Write(byte[] file)
    {
        var path = Path.Combine(Path.GetTempPath(), "gateway-tests-s3-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, file);
        return path;
    }
}
