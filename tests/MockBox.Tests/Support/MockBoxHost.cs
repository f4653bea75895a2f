using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockBox.Configuration;
using TestSupport;

namespace MockBox.Tests.Support;

public enum ClockRegistration
{
    BeforeAddMockBox,
    AfterAddMockBox,
}

/// <summary>
/// One mock-box on an ephemeral loopback port (through <see cref="LoopbackApp"/>), owned by one test and
/// stopped by it, plus the Box calls tests make over and over. Test settings: two tokens, test mode, a
/// 64 KiB part size and a 1-byte minimum, so most tests move kilobytes, not megabytes.
/// </summary>
internal sealed class MockBoxHost : IAsyncDisposable
{
    public const string Token = "test-token";
    public const string OtherToken = "other-token";
    public const long PartSize = 64 * 1024;

    private MockBoxHost(LoopbackApp app, CapturedLogs logs)
    {
        App = app;
        Logs = logs;
        Client = app.CreateClient(Token);
    }

    public LoopbackApp App { get; }

    /// <summary>What the mock logged (its own categories, Debug and up).</summary>
    public CapturedLogs Logs { get; }

    /// <summary>A client carrying <see cref="Token"/>.</summary>
    public HttpClient Client { get; }

    public string DataRoot => App.GetRequiredService<DataDirectory>().Root;

    /// <summary>Starts a mock. A null value in <paramref name="settings"/> removes that key from the test defaults.</summary>
    public static async Task<MockBoxHost> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeProvider? clock = null,
        ClockRegistration registration = ClockRegistration.BeforeAddMockBox)
    {
        var merged = new Dictionary<string, string?>
        {
            ["MockBox:AccessTokens:0"] = Token,
            ["MockBox:AccessTokens:1"] = OtherToken,
            ["MockBox:TestMode"] = "true",
            ["MockBox:PartSize"] = PartSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MockBox:MinFileSize"] = "1",
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
        var logs = new CapturedLogs();
        var app = await LoopbackApp.StartAsync(
            builder =>
            {
                builder.Logging.AddProvider(logs);
                builder.Logging.AddFilter<CapturedLogs>("MockBox", LogLevel.Debug);
                if (clock is not null && registration == ClockRegistration.BeforeAddMockBox)
                {
                    builder.Services.AddSingleton(clock);
                }
                builder.AddMockBox();
                if (clock is not null && registration == ClockRegistration.AfterAddMockBox)
                {
                    builder.Services.AddSingleton(clock);
                }
            },
            app => app.MapMockBox(),
            merged);
        return new MockBoxHost(app, logs);
    }

    public HttpClient CreateClient(string? token) => App.CreateClient(token);

    public static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    public Task<HttpResponseMessage> PostJsonAsync(string url, string json, HttpClient? client = null) =>
        (client ?? Client).PostAsync(url, JsonContent(json));

    public async Task<BoxSession> CreateSessionAsync(long fileSize, string name = "file.bin", string folderId = "0")
    {
        using var response = await PostJsonAsync("/api/2.0/files/upload_sessions",
            JsonSerializer.Serialize(new { folder_id = folderId, file_size = fileSize, file_name = name }));
        return await BoxSession.FromAsync(response, fileSize);
    }

    public async Task<BoxSession> CreateVersionSessionAsync(string fileId, long fileSize, string? newName = null)
    {
        var body = newName is null
            ? JsonSerializer.Serialize(new { file_size = fileSize })
            : JsonSerializer.Serialize(new { file_size = fileSize, file_name = newName });
        using var response = await PostJsonAsync($"/api/2.0/files/{fileId}/upload_sessions", body);
        return await BoxSession.FromAsync(response, fileSize);
    }

    /// <summary>
    /// PUTs bytes <c>[offset, offset+length)</c> of file <paramref name="seed"/> to the session's
    /// <c>upload_part</c> URL, streamed from the generator. Digest and Content-Range are the correct ones
    /// unless given; <paramref name="chunked"/> sends no Content-Length.
    /// </summary>
    public Task<HttpResponseMessage> PutPartAsync(BoxSession session, long seed, long offset, long length,
        string? digest = null, string? contentRange = null, bool chunked = false, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, session.Endpoint("upload_part"))
        {
            Content = new StreamContent(new GeneratedStream(seed, offset, length)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content.Headers.ContentLength = length;
        }
        request.Headers.TryAddWithoutValidation("Digest", digest ?? "sha=" + TestData.Sha1Base64(seed, offset, length));
        request.Content.Headers.TryAddWithoutValidation("Content-Range",
            contentRange ?? $"bytes {offset}-{offset + length - 1}/{session.FileSize}");
        return (client ?? Client).SendAsync(request);
    }

    /// <summary>Uploads every part of file <paramref name="seed"/> in order and returns the part objects.</summary>
    public async Task<List<JsonElement>> UploadAllPartsAsync(BoxSession session, long seed)
    {
        var parts = new List<JsonElement>();
        for (long offset = 0; offset < session.FileSize; offset += session.PartSize)
        {
            using var response = await PutPartAsync(session, seed, offset, Math.Min(session.PartSize, session.FileSize - offset));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            parts.Add((await ReadJsonAsync(response)).GetProperty("part"));
        }
        return parts;
    }

    public Task<HttpResponseMessage> CommitAsync(BoxSession session, IEnumerable<JsonElement> parts, string? digest,
        Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, session.Endpoint("commit"))
        {
            Content = JsonContent(JsonSerializer.Serialize(new { parts })),
        };
        if (digest is not null)
        {
            request.Headers.TryAddWithoutValidation("Digest", digest);
        }
        configure?.Invoke(request);
        return Client.SendAsync(request);
    }

    public static string WholeFileDigest(long seed, long size) => "sha=" + TestData.Sha1Base64(seed, 0, size);

    /// <summary>Creates a session, uploads file <paramref name="seed"/>, commits, and returns the committed File object.</summary>
    public async Task<JsonElement> UploadFileAsync(long seed, long size, string name = "file.bin", string folderId = "0")
    {
        var session = await CreateSessionAsync(size, name, folderId);
        var parts = await UploadAllPartsAsync(session, seed);
        using var response = await CommitAsync(session, parts, WholeFileDigest(seed, size));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("entries")[0];
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>An upload session as its create response described it.</summary>
internal sealed record BoxSession(string Id, long FileSize, long PartSize, int TotalParts, JsonElement Json)
{
    public string Endpoint(string name) => Json.GetProperty("session_endpoints").GetProperty(name).GetString()!;

    public static async Task<BoxSession> FromAsync(HttpResponseMessage response, long fileSize)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        var json = document.RootElement.Clone();
        return new BoxSession(json.GetProperty("id").GetString()!, fileSize, json.GetProperty("part_size").GetInt64(),
            json.GetProperty("total_parts").GetInt32(), json);
    }
}
