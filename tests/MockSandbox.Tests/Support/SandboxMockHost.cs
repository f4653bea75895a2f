using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MockSandbox.Sandboxes;
using TestSupport;

namespace MockSandbox.Tests.Support;

public enum ClockRegistration
{
    BeforeAddMockSandbox,
    AfterAddMockSandbox,
}

/// <summary>
/// One mock-sandbox on an ephemeral loopback port (through <see cref="LoopbackApp"/>), owned by one test and
/// stopped by it, plus the calls tests make over and over. Test settings: one key, one sandbox, test mode,
/// and 64 KiB parts so most tests move kilobytes.
/// </summary>
internal sealed class SandboxMockHost : IAsyncDisposable
{
    public const string ApiKey = "test-sandbox-key";
    public const string SandboxId = "sb_test0001";
    public const int PartSize = 64 * 1024;

    private SandboxMockHost(LoopbackApp app)
    {
        App = app;
        Client = app.CreateClient(ApiKey);
    }

    public LoopbackApp App { get; }

    /// <summary>A client carrying <see cref="ApiKey"/>.</summary>
    public HttpClient Client { get; }

    public string DataRoot => App.GetRequiredService<SandboxStorage>().Root;

    /// <summary>Starts a mock. A null value in <paramref name="settings"/> removes that key from the test defaults.</summary>
    public static async Task<SandboxMockHost> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeProvider? clock = null,
        ClockRegistration registration = ClockRegistration.BeforeAddMockSandbox)
    {
        var merged = new Dictionary<string, string?>
        {
            ["MockSandbox:ApiKeys:0"] = ApiKey,
            ["MockSandbox:Sandboxes:0"] = SandboxId,
            ["MockSandbox:TestMode"] = "true",
            ["MockSandbox:PartSize"] = PartSize.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value;
            }
        }
        var app = await LoopbackApp.StartAsync(
            builder =>
            {
                if (clock is not null && registration == ClockRegistration.BeforeAddMockSandbox)
                {
                    builder.Services.AddSingleton(clock);
                }
                builder.AddMockSandbox();
                if (clock is not null && registration == ClockRegistration.AfterAddMockSandbox)
                {
                    builder.Services.AddSingleton(clock);
                }
            },
            app => app.MapMockSandbox(),
            merged);
        return new SandboxMockHost(app);
    }

    public static string UploadsUrl(string sandbox = SandboxId) => $"/v1/sandboxes/{sandbox}/uploads";

    public static string UploadUrl(string uploadId, string sandbox = SandboxId) => $"{UploadsUrl(sandbox)}/{uploadId}";

    public static string PartUrl(string uploadId, uint part, string sandbox = SandboxId) => $"{UploadUrl(uploadId, sandbox)}/parts/{part}";

    public static string FileUrl(string path, string? user = null, string sandbox = SandboxId) =>
        $"/v1/sandboxes/{sandbox}/file?path={Uri.EscapeDataString(path)}" + (user is null ? "" : $"&user={Uri.EscapeDataString(user)}");

    /// <summary>Where a sandbox path lives on this host, in the mock's data directory.</summary>
    public string HostPath(string sandboxPath, string sandbox = SandboxId) =>
        Path.Combine([DataRoot, "sandboxes", sandbox, "fs", .. sandboxPath.Split('/', StringSplitOptions.RemoveEmptyEntries)]);

    public string StagingPath(string uploadId, string sandbox = SandboxId) => Path.Combine(DataRoot, "sandboxes", sandbox, "staging", uploadId);

    public static JsonObject FileBody(long contentLength, string target = "/workspace/file.bin") => new()
    {
        ["kind"] = "file",
        ["source_kind"] = "restartable_file",
        ["target_path"] = target,
        ["content_length"] = contentLength,
    };

    public static JsonObject ArchiveBody(long contentLength, string target, string conflict) => new()
    {
        ["kind"] = "directory_tar",
        ["source_kind"] = "directory_archive",
        ["target_path"] = target,
        ["content_length"] = contentLength,
        ["conflict"] = conflict,
        ["archive_format"] = "tar",
    };

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>POSTs a create; a fresh <c>Idempotency-Key</c> unless one is given (<c>""</c>: none at all).</summary>
    public Task<HttpResponseMessage> PostCreateAsync(JsonNode body, string? idempotencyKey = null, string sandbox = SandboxId, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, UploadsUrl(sandbox)) { Content = Json(body) };
        AddIdempotencyKey(request, idempotencyKey);
        return (client ?? Client).SendAsync(request);
    }

    /// <summary>Creates a session and returns it (the <c>session</c> member of the 201).</summary>
    public async Task<JsonElement> CreateSessionAsync(JsonNode body, string sandbox = SandboxId)
    {
        using var response = await PostCreateAsync(body, sandbox: sandbox);
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("session");
    }

    public Task<JsonElement> CreateFileSessionAsync(long contentLength, string target = "/workspace/file.bin") =>
        CreateSessionAsync(FileBody(contentLength, target));

    public async Task<JsonElement> GetStatusAsync(string uploadId, string sandbox = SandboxId)
    {
        using var response = await Client.GetAsync(UploadUrl(uploadId, sandbox));
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>PUTs raw bytes as part <paramref name="part"/>; <paramref name="chunked"/> sends no Content-Length.</summary>
    public Task<HttpResponseMessage> PutPartAsync(string uploadId, uint part, ReadOnlyMemory<byte> bytes, string? sha256 = null, bool chunked = false, HttpClient? client = null) =>
        PutPartAsync(uploadId, part, new MemoryStream(bytes.ToArray()), bytes.Length, sha256, chunked, client);

    /// <summary>PUTs part <paramref name="part"/> from a stream (not buffered by the client).</summary>
    public Task<HttpResponseMessage> PutPartAsync(string uploadId, uint part, Stream content, long length, string? sha256 = null, bool chunked = false, HttpClient? client = null, string sandbox = SandboxId)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, PartUrl(uploadId, part, sandbox)) { Content = new StreamContent(content) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content.Headers.ContentLength = length;
        }
        if (sha256 is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Part-SHA256", sha256);
        }
        return (client ?? Client).SendAsync(request);
    }

    /// <summary>PUTs bytes of generated file <paramref name="seed"/> as part <paramref name="part"/> of a session with this part size.</summary>
    public Task<HttpResponseMessage> PutGeneratedPartAsync(string uploadId, uint part, long seed, long contentLength, long partSize = PartSize, HttpClient? client = null)
    {
        var offset = part * partSize;
        var length = Math.Min(partSize, contentLength - offset);
        return PutPartAsync(uploadId, part, new GeneratedStream(seed, offset, length), length, client: client);
    }

    public async Task<JsonElement> PutPartOkAsync(string uploadId, uint part, ReadOnlyMemory<byte> bytes)
    {
        using var response = await PutPartAsync(uploadId, part, bytes);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Uploads every part of <paramref name="content"/> in order.</summary>
    public async Task UploadPartsAsync(string uploadId, ReadOnlyMemory<byte> content, int partSize = PartSize)
    {
        for (var offset = 0; offset < content.Length; offset += partSize)
        {
            await PutPartOkAsync(uploadId, (uint)(offset / partSize), content[offset..Math.Min(content.Length, offset + partSize)]);
        }
    }

    /// <summary>POSTs a complete; a fresh <c>Idempotency-Key</c> unless one is given (<c>""</c>: none at all).</summary>
    public Task<HttpResponseMessage> PostCompleteAsync(string uploadId, string? wholeSha256 = null, string? idempotencyKey = null, string sandbox = SandboxId)
    {
        var body = new JsonObject();
        if (wholeSha256 is not null)
        {
            body["whole_checksum_sha256"] = wholeSha256;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, $"{UploadUrl(uploadId, sandbox)}/complete") { Content = Json(body) };
        AddIdempotencyKey(request, idempotencyKey);
        return Client.SendAsync(request);
    }

    public async Task<JsonElement> CompleteOkAsync(string uploadId, string? wholeSha256 = null)
    {
        using var response = await PostCompleteAsync(uploadId, wholeSha256);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Creates a session for <paramref name="content"/> and sends every part: the upload id, staged.</summary>
    public async Task<string> StageAsync(JsonObject body, byte[] content)
    {
        body["content_length"] = content.Length;
        var session = await CreateSessionAsync(body);
        var uploadId = session.GetProperty("upload_id").GetString()!;
        await UploadPartsAsync(uploadId, content, session.GetProperty("part_size").GetInt32());
        return uploadId;
    }

    /// <summary>Create, every part, complete: the response of the complete (whatever its status).</summary>
    public async Task<HttpResponseMessage> UploadAsync(JsonObject body, byte[] content) =>
        await PostCompleteAsync(await StageAsync(body, content));

    public Task<HttpResponseMessage> AbortAsync(string uploadId, string sandbox = SandboxId) => Client.DeleteAsync(UploadUrl(uploadId, sandbox));

    public async Task PutFileAsync(string path, byte[] content, string? user = null)
    {
        using var response = await Client.PutAsync(FileUrl(path, user), new ByteArrayContent(content));
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"PUT file {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public Task PutFileAsync(string path, string content) => PutFileAsync(path, Encoding.UTF8.GetBytes(content));

    /// <summary>The file's text, or null on 404.</summary>
    public async Task<string?> ReadFileAsync(string path, string? user = null)
    {
        using var response = await Client.GetAsync(FileUrl(path, user));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>PATCHes <c>/_mock/sandboxes/{id}</c>: what the sandbox's next sessions get.</summary>
    public async Task<JsonElement> ConfigureSandboxAsync(JsonObject settings, string sandbox = SandboxId)
    {
        using var response = await Client.PatchAsync($"/_mock/sandboxes/{sandbox}", Json(settings));
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    public async Task<JsonElement> MockSandboxAsync(string sandbox = SandboxId)
    {
        using var response = await Client.GetAsync($"/_mock/sandboxes/{sandbox}");
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    public async Task<long> ReservedBytesAsync(string sandbox = SandboxId) =>
        (await MockSandboxAsync(sandbox)).GetProperty("usage").GetProperty("reserved_staging_bytes").GetInt64();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }

    private static void AddIdempotencyKey(HttpRequestMessage request, string? key)
    {
        key ??= Guid.NewGuid().ToString();
        if (key.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }
    }
}

internal static class JsonElementExtensions
{
    public static string Id(this JsonElement session) => session.GetProperty("upload_id").GetString()!;

    public static string Status(this JsonElement session) => session.GetProperty("status").GetString()!;

    public static long Long(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public static bool IsNull(this JsonElement element, string name) => element.GetProperty(name).ValueKind == JsonValueKind.Null;
}
