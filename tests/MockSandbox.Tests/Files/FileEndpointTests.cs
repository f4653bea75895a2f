using System.Net;
using MockSandbox.Tests.Support;

namespace MockSandbox.Tests.Files;

public sealed class FileEndpointTests
{
    [Fact]
    public async Task A_file_written_in_one_shot_reads_back_byte_exact()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var content = TestData.Bytes(90, 0, 300_000);
        using (var put = await mock.Client.PutAsync(SandboxMockHost.FileUrl("/workspace/a/b/c.bin"), new ByteArrayContent(content)))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }
        using var get = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/workspace/a/b/c.bin"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Writing_again_replaces_the_file()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/tmp/f.txt", "first version, longer");
        await mock.PutFileAsync("/tmp/f.txt", "second");
        Assert.Equal("second", await mock.ReadFileAsync("/tmp/f.txt"));
    }

    [Fact]
    public async Task A_chunked_body_larger_than_kestrels_default_limit_is_written()
    {
        const long Size = 32L * 1024 * 1024;
        await using var mock = await SandboxMockHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Put, SandboxMockHost.FileUrl("/data/big.bin")) { Content = new StreamContent(new GeneratedStream(91, 0, Size)) };
        request.Headers.TransferEncodingChunked = true;
        using (var put = await mock.Client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }
        using var get = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/data/big.bin"), HttpCompletionOption.ResponseHeadersRead);
        await TestData.AssertStreamEqualsAsync(91, 0, Size, await get.Content.ReadAsStreamAsync());
    }

    [Fact]
    public async Task Reading_a_missing_file_or_a_directory_is_404_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/dir/x", "x");
        foreach (var path in new[] { "/workspace/missing", "/workspace/dir", "/workspace/nodir/x", "/workspace" })
        {
            using var response = await mock.Client.GetAsync(SandboxMockHost.FileUrl(path));
            await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task Writing_where_a_directory_or_a_file_parent_is_in_the_way_is_409_conflict()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        await mock.PutFileAsync("/workspace/dir/x", "x");
        using (var onDirectory = await mock.Client.PutAsync(SandboxMockHost.FileUrl("/workspace/dir"), new ByteArrayContent([1])))
        {
            await ApiAssert.ErrorAsync(onDirectory, HttpStatusCode.Conflict, "conflict");
        }
        using (var underFile = await mock.Client.PutAsync(SandboxMockHost.FileUrl("/workspace/dir/x/y"), new ByteArrayContent([1])))
        {
            await ApiAssert.ErrorAsync(underFile, HttpStatusCode.Conflict, "conflict");
        }
        using var root = await mock.Client.PutAsync(SandboxMockHost.FileUrl("/tmp"), new ByteArrayContent([1]));
        await ApiAssert.ErrorAsync(root, HttpStatusCode.BadRequest, "invalid_fields");
        Assert.Equal("x", await mock.ReadFileAsync("/workspace/dir/x"));
    }

    [Fact]
    public async Task A_body_over_max_upload_bytes_is_413_and_writes_nothing()
    {
        await using var mock = await SandboxMockHost.StartAsync(new Dictionary<string, string?> { ["MockSandbox:Limits:MaxUploadBytes"] = "1000" });
        using (var declared = await mock.Client.PutAsync(SandboxMockHost.FileUrl("/tmp/big"), new ByteArrayContent(new byte[1001])))
        {
            await ApiAssert.ErrorAsync(declared, HttpStatusCode.RequestEntityTooLarge, "file_upload_limit_exceeded");
        }
        var request = new HttpRequestMessage(HttpMethod.Put, SandboxMockHost.FileUrl("/tmp/big")) { Content = new StreamContent(new GeneratedStream(92, 0, 5000)) };
        request.Headers.TransferEncodingChunked = true;
        using (var chunked = await mock.Client.SendAsync(request))
        {
            await ApiAssert.ErrorAsync(chunked, HttpStatusCode.RequestEntityTooLarge, "file_upload_limit_exceeded");
        }
        Assert.Null(await mock.ReadFileAsync("/tmp/big"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(mock.DataRoot, "sandboxes", SandboxMockHost.SandboxId, "staging"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_file_endpoints_of_an_unknown_sandbox_are_404_sandbox_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var get = await mock.Client.GetAsync(SandboxMockHost.FileUrl("/tmp/x", sandbox: "sb_nothere1"));
        await ApiAssert.ErrorAsync(get, HttpStatusCode.NotFound, "sandbox_not_found");
        using var put = await mock.Client.PutAsync(SandboxMockHost.FileUrl("/tmp/x", sandbox: "sb_nothere1"), new ByteArrayContent([1]));
        await ApiAssert.ErrorAsync(put, HttpStatusCode.NotFound, "sandbox_not_found");
    }
}
