using System.Net;
using MockBox.Tests.Support;

namespace MockBox.Tests.Files;

public sealed class FilesApiTests
{
    [Fact]
    public async Task Get_file_describes_the_committed_file()
    {
        await using var box = await MockBoxHost.StartAsync();
        var committed = await box.UploadFileAsync(seed: 31, size: 70_000, name: "shown.bin");
        var id = committed.GetProperty("id").GetString();

        using var response = await box.Client.GetAsync($"/2.0/files/{id}");

        var file = await BoxAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal(committed.GetRawText(), file.GetRawText());
        Assert.Matches("^[0-9]+$", id);
        Assert.Equal("shown.bin", file.GetProperty("name").GetString());
        Assert.Equal(70_000, file.GetProperty("size").GetInt64());
        Assert.Equal(TestData.Sha1Hex(31, 0, 70_000), file.GetProperty("sha1").GetString());
        Assert.Equal("0", file.GetProperty("etag").GetString());
        Assert.Equal("file_version", file.GetProperty("file_version").GetProperty("type").GetString());
        Assert.Equal("0", file.GetProperty("parent").GetProperty("id").GetString());
        Assert.Equal("All Files", file.GetProperty("parent").GetProperty("name").GetString());
        Assert.True(DateTimeOffset.TryParse(file.GetProperty("created_at").GetString(), out _));
        Assert.True(DateTimeOffset.TryParse(file.GetProperty("modified_at").GetString(), out _));
    }

    [Fact]
    public async Task File_in_a_subfolder_has_its_folder_as_parent_and_the_path_from_the_root()
    {
        await using var box = await MockBoxHost.StartAsync();
        using var created = await box.PostJsonAsync("/_mock/folders", """{"name":"Reports"}""");
        var folder = await BoxAssert.StatusAsync(created, HttpStatusCode.Created);
        var folderId = folder.GetProperty("id").GetString()!;

        var file = await box.UploadFileAsync(seed: 32, size: 1000, folderId: folderId);

        Assert.Equal(folderId, file.GetProperty("parent").GetProperty("id").GetString());
        var path = file.GetProperty("path_collection");
        Assert.Equal(2, path.GetProperty("total_count").GetInt64());
        Assert.Equal(["0", folderId], path.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Content_is_served_byte_exact_as_octet_stream()
    {
        await using var box = await MockBoxHost.StartAsync();
        var file = await box.UploadFileAsync(seed: 33, size: 200_001);

        using var response = await box.Client.GetAsync($"/2.0/files/{file.GetProperty("id").GetString()}/content", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        await TestData.AssertStreamEqualsAsync(33, 0, 200_001, await response.Content.ReadAsStreamAsync());
    }

    [Theory]
    [InlineData("/2.0/files/123456789")]
    [InlineData("/2.0/files/123456789/content")]
    public async Task Unknown_file_is_404_not_found(string path)
    {
        await using var box = await MockBoxHost.StartAsync();

        using var response = await box.Client.GetAsync(path);

        await BoxAssert.ErrorAsync(response, 404, "not_found");
    }
}
