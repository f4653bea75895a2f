using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TestSupport;

namespace Gateway.Tests.ThirdBackend;

/// <summary>
/// A third kind of store, written here to prove the backend seam: files in buckets behind a session API unlike
/// both the sandbox's and Box's. A session has no parts, only offsets: <c>PUT /sessions/{id}?offset=O</c> writes
/// the body at <c>O</c> (into a sparse file on disk), a range already written takes the same bytes again and
/// refuses others (409), <c>POST /sessions/{id}/seal</c> checks that every byte came (and the whole SHA-256 when
/// given) and moves the file to its key, <c>DELETE</c> drops it. A real HTTP server on a loopback port, its data
/// on disk, read back by <see cref="ReadAsync"/> so a test proves what landed.
/// </summary>
internal sealed partial class OffsetStore : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Upload> _uploads = new(StringComparer.Ordinal);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "offset-store-" + Guid.NewGuid().ToString("N"));
    private readonly string _token;
    private readonly long _chunk;
    private LoopbackApp _app = null!;

    private OffsetStore(string token, long chunk) => (_token, _chunk) = (token, chunk);

    public Uri BaseAddress => _app.BaseAddress;

    /// <summary>Sessions the store holds open now.</summary>
    public int OpenSessions => _uploads.Count;

    public static async Task<OffsetStore> StartAsync(string token, long chunk)
    {
        var store = new OffsetStore(token, chunk);
        Directory.CreateDirectory(store._root);
        store._app = await LoopbackApp.StartAsync(_ => { }, store.Map);
        return store;
    }

    /// <summary>The object at <paramref name="bucket"/>/<paramref name="key"/>, as the store keeps it.</summary>
    public Task<byte[]> ReadAsync(string bucket, string key) => File.ReadAllBytesAsync(ObjectPath(bucket, key));

    public bool Exists(string bucket, string key) => File.Exists(ObjectPath(bucket, key));

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization != "Bearer " + _token)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await next(context);
        });
        app.MapPost("/buckets/{bucket}/sessions", Open);
        app.MapPut("/sessions/{id}", WriteAsync);
        app.MapPost("/sessions/{id}/seal", SealAsync);
        app.MapDelete("/sessions/{id}", (string id) => _uploads.TryRemove(id, out var upload) ? Drop(upload) : Results.NotFound());
    }

    private async Task<IResult> Open(string bucket, HttpRequest request)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
        var key = body.GetProperty("key").GetString()!;
        var length = body.GetProperty("length").GetInt64();
        var replace = body.TryGetProperty("replace", out var r) && r.GetBoolean();
        if (!Name().IsMatch(bucket) || !KeyPattern().IsMatch(key) || length < 0)
        {
            return Results.Json(new { error = "bad_target" }, statusCode: 400);
        }
        if (!replace && File.Exists(ObjectPath(bucket, key)))
        {
            return Results.Json(new { error = "exists" }, statusCode: 409);
        }
        var upload = new Upload("s_" + Guid.NewGuid().ToString("N"), bucket, key, length, Path.Combine(_root, Guid.NewGuid().ToString("N")));
        await using (var file = File.Create(upload.Data))
        {
            file.SetLength(length);
        }
        _uploads[upload.Id] = upload;
        return Results.Json(new { session = upload.Id, chunk = _chunk }, statusCode: 201);
    }

    private async Task<IResult> WriteAsync(string id, long offset, HttpRequest request)
    {
        if (!_uploads.TryGetValue(id, out var upload))
        {
            return Results.NotFound();
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        if (offset < 0 || offset + bytes.Length > upload.Length)
        {
            return Results.Json(new { error = "out_of_range" }, statusCode: 416);
        }
        await upload.Lock.WaitAsync();
        try
        {
            await using var file = new FileStream(upload.Data, FileMode.Open, FileAccess.ReadWrite);
            if (upload.Written.Any(w => w.Start < offset + bytes.Length && offset < w.End))
            {
                // Bytes already written here: the same bytes again are a retry, others a conflict.
                var held = new byte[bytes.Length];
                file.Position = offset;
                await file.ReadExactlyAsync(held);
                var covered = upload.Written.Any(w => w.Start <= offset && offset + bytes.Length <= w.End);
                return covered && held.AsSpan().SequenceEqual(bytes) ? Results.Json(new { written = bytes.Length }) : Results.Json(new { error = "overlap" }, statusCode: 409);
            }
            file.Position = offset;
            await file.WriteAsync(bytes);
            upload.Written.Add((offset, offset + bytes.Length));
            return Results.Json(new { written = bytes.Length });
        }
        finally
        {
            upload.Lock.Release();
        }
    }

    private async Task<IResult> SealAsync(string id, HttpRequest request)
    {
        if (!_uploads.TryGetValue(id, out var upload))
        {
            return Results.NotFound();
        }
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
        var expected = body.TryGetProperty("sha256", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        await upload.Lock.WaitAsync();
        try
        {
            var received = upload.Written.Sum(w => w.End - w.Start);
            if (received != upload.Length)
            {
                return Results.Json(new { error = "incomplete", received }, statusCode: 409);
            }
            string actual;
            await using (var file = File.OpenRead(upload.Data))
            {
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
            }
            if (expected is not null && !string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            {
                _uploads.TryRemove(id, out _);
                File.Delete(upload.Data);
                return Results.Json(new { error = "digest_mismatch" }, statusCode: 422);
            }
            var target = ObjectPath(upload.Bucket, upload.Key);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(upload.Data, target, overwrite: true);
            _uploads.TryRemove(id, out _);
            return Results.Json(new { key = upload.Key, size = upload.Length, sha256 = actual });
        }
        finally
        {
            upload.Lock.Release();
        }
    }

    private static IResult Drop(Upload upload)
    {
        File.Delete(upload.Data);
        return Results.NoContent();
    }

    private string ObjectPath(string bucket, string key) => Path.Combine(_root, "objects", bucket, key);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [GeneratedRegex("^[a-z0-9-]{1,32}$")]
    private static partial Regex Name();

    /// <summary>Keys are relative paths of plain segments.</summary>
    [GeneratedRegex(@"^(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9._\-/]{1,512}$")]
    internal static partial Regex KeyPattern();

    private sealed record Upload(string Id, string Bucket, string Key, long Length, string Data)
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public List<(long Start, long End)> Written { get; } = [];
    }
}
