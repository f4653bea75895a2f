using System.Formats.Tar;
using System.Net;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api.V1;

/// <summary>The contract, create (README.md): what is checked before and by the backend, and how each refusal reads.</summary>
public sealed class CreateTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [InlineData("""{"backend":"nope","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":1}""", 422, "unknown_backend")]
    [InlineData("""{"target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":1}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"}}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":-1}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":"12"}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":1,"kind":"zip"}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":1,"conflict":"merge"}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":1,"checksum":{"sha256":"xyz"}}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"relative/a"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/../etc/passwd"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a\u0000b"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a","folder_id":"0"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_nosuchbox","path":"/workspace/a"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/etc/passwd"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"box","target":{"folder_id":"0","file_name":"a.bin"},"content_length":1,"kind":"directory_tar"}""", 422, "unsupported_kind")]
    [InlineData("""{"backend":"box","target":{"folder_id":"0"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"box","target":{"folder_id":"0","file_name":"a/b"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"box","target":{"folder_id":"999999","file_name":"a.bin"},"content_length":1}""", 422, "invalid_target")]
    [InlineData("""{"backend":"box","target":{"folder_id":"0","file_name":"a.bin"},"content_length":1,"conflict":"merge"}""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox","target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"content_length":99999999999999}""", 413, "upload_too_large")]
    [InlineData("""not json""", 400, "invalid_request")]
    [InlineData("""{"backend":"sandbox",""", 400, "invalid_request")]
    [InlineData("""[]""", 400, "invalid_request")]
    [InlineData("""null""", 400, "invalid_request")]
    public async Task A_bad_create_request_gets_its_precise_code(string body, int status, string code)
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());

        using var response = await client.CreateAsync(body);

        await ExpectProblemAsync(response, status, code);
    }

    [Fact]
    public async Task A_box_name_already_in_the_folder_is_a_conflict_unless_replace_uploads_a_new_version()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var first = TestData.Bytes(1000, seed: 1);
        var firstId = await UploadBoxAsync(client, first, "same.bin", "error");

        using var clash = await client.CreateAsync(new { backend = "box", target = new { folder_id = "0", file_name = "same.bin" }, content_length = 10 });
        await ExpectProblemAsync(clash, 409, "conflict");

        var second = TestData.Bytes(2000, seed: 2);
        var secondId = await UploadBoxAsync(client, second, "same.bin", "replace");

        Assert.Equal(firstId, secondId);
        using var box = system.BoxClient();
        Assert.Equal(second, await box.GetByteArrayAsync($"/2.0/files/{secondId}/content"));
    }

    [Fact]
    public async Task A_new_version_of_a_box_file_can_be_uploaded_by_its_id()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var fileId = await UploadBoxAsync(client, TestData.Bytes(500, seed: 1), "versioned.bin", "error");
        var next = TestData.Bytes(700, seed: 2);

        var created = await client.CreateOkAsync(new { backend = "box", target = new { file_id = fileId }, content_length = next.Length });
        var id = created.GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, next, GatewayHarness.PartSize);
        var done = await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(next) } }), HttpStatusCode.OK);

        Assert.Equal(fileId, done.GetProperty("result").GetProperty("file_id").GetString());
        using var box = system.BoxClient();
        Assert.Equal(next, await box.GetByteArrayAsync($"/2.0/files/{fileId}/content"));
    }

    [Fact]
    public async Task A_sandbox_target_that_exists_is_a_conflict_at_complete_when_conflict_is_error()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var sandbox = system.SandboxClient();
        await sandbox.PutAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/taken.bin", new ByteArrayContent([1, 2, 3]));
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(10);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/taken.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, GatewayHarness.PartSize);

        await ExpectProblemAsync(await client.CompleteAsync(id), 409, "conflict");

        Assert.Equal([1, 2, 3], await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/taken.bin"));
    }

    [Fact]
    public async Task A_directory_archive_is_unpacked_at_its_path_on_a_sandbox()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var archive = Tar(("docs/readme.txt", "hello"u8.ToArray()), ("docs/deep/data.bin", TestData.Bytes(3000)));

        var created = await client.CreateOkAsync(new
        {
            backend = "sandbox",
            kind = "directory_tar",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/unpacked" },
            content_length = archive.Length,
        });
        var id = created.GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, archive, GatewayHarness.PartSize);
        var done = await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Equal(2, done.GetProperty("result").GetProperty("file_count").GetInt32());
        using var sandbox = system.SandboxClient();
        Assert.Equal("hello"u8.ToArray(), await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/unpacked/docs/readme.txt"));
        Assert.Equal(TestData.Bytes(3000), await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/unpacked/docs/deep/data.bin"));
    }

    [Fact]
    public async Task A_hostile_archive_fails_the_upload_and_publishes_nothing()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var archive = Tar(("ok.txt", "fine"u8.ToArray()), ("../escape.txt", "bad"u8.ToArray()));
        var id = (await client.CreateOkAsync(new
        {
            backend = "sandbox",
            kind = "directory_tar",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/hostile" },
            content_length = archive.Length,
        })).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, archive, GatewayHarness.PartSize);

        await ExpectProblemAsync(await client.CompleteAsync(id), 400, "invalid_request");

        Assert.Equal("failed", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        using var sandbox = system.SandboxClient();
        using var landed = await sandbox.GetAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/hostile/ok.txt");
        Assert.Equal(HttpStatusCode.NotFound, landed.StatusCode);
    }

    private static async Task<string> UploadBoxAsync(ContractClient client, byte[] file, string name, string conflict)
    {
        var created = await client.CreateOkAsync(new { backend = "box", target = new { folder_id = "0", file_name = name }, content_length = file.Length, conflict });
        var id = created.GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, GatewayHarness.PartSize);
        var done = await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } }), HttpStatusCode.OK);
        return done.GetProperty("result").GetProperty("file_id").GetString()!;
    }

    private static byte[] Tar(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }
        return buffer.ToArray();
    }
}
