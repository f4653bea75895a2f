using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>
/// Straight to mock-box (mock-box/README.md): a session for a new file the first time, for a new version of it
/// afterwards (so runs do not pile up files); parts with <c>Content-Range</c> and <c>Digest: sha=</c>, followed to
/// the session's own <c>upload_part</c> URL; commit with the parts list and the whole file's SHA-1.
/// </summary>
internal sealed class DirectBox(UploadPathKind kind, HttpClient http, TestFile file, Uri mock, string token)
    : UploadPath("box", kind, http, file)
{
    private string? _fileId;

    private string Token => token;

    public override async Task<UploadSession> CreateAsync(CancellationToken cancellationToken)
    {
        var request = _fileId is null
            ? Request(HttpMethod.Post, new Uri(mock, "api/2.0/files/upload_sessions"), token, new JsonObject
            {
                ["folder_id"] = "0",
                ["file_size"] = File.Length,
                // One Box file per path and test file: the JIT warm-up's small file is another path object, which
                // knows no file id yet, and a second create under the same name is Box's 409 item_name_in_use.
                ["file_name"] = $"bench-{Name}-{System.IO.Path.GetFileName(File.Path)}",
            })
            : Request(HttpMethod.Post, new Uri(mock, $"api/2.0/files/{_fileId}/upload_sessions"), token, new JsonObject
            {
                ["file_size"] = File.Length,
            });
        var session = await SendAsync(Http, request, $"create (box, {Name})", cancellationToken, HttpStatusCode.Created);
        var partSize = Number(session["part_size"], "part_size");
        var count = (int)Number(session["total_parts"], "total_parts");
        return new Session(this,
            new Uri(Text(session["session_endpoints"]?["upload_part"], "upload_part")),
            new Uri(Text(session["session_endpoints"]?["commit"], "commit")),
            File.PartSha1(partSize), count)
        {
            PartSize = partSize,
            PartCount = count,
            Length = File.Length,
        };
    }

    private sealed class Session(DirectBox path, Uri uploadPart, Uri commit, byte[][] partSha1, int count) : UploadSession
    {
        private readonly JsonNode?[] _parts = new JsonNode?[count];

        public override HttpRequestMessage PartRequest(int index)
        {
            var offset = OffsetOf(index);
            var size = SizeOf(index);
            var request = path.PartRequest(HttpMethod.Put, uploadPart, path.Token, offset, size);
            request.Content!.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + size - 1, Length);
            request.Headers.TryAddWithoutValidation("Digest", "sha=" + Convert.ToBase64String(partSha1[index]));
            return request;
        }

        public override void PartAnswered(int index, JsonNode answer) =>
            _parts[index] = answer["part"]?.DeepClone() ?? throw new BenchException("Box answered a part without the part.");

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            var body = new JsonObject { ["parts"] = new JsonArray([.. _parts]) };
            for (var attempt = 0; ; attempt++)
            {
                var request = Request(HttpMethod.Post, commit, path.Token, body.DeepClone());
                request.Headers.TryAddWithoutValidation("Digest", "sha=" + Convert.ToBase64String(path.File.Sha1));
                var answer = await SendAsync(path.Http, request, $"commit (box, {path.Name})", cancellationToken, HttpStatusCode.Created, HttpStatusCode.Accepted);
                if (answer["entries"]?[0] is not { } entry)
                {
                    // 202: Box is still assembling (mock-box commits at once unless told otherwise).
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    if (attempt > 60)
                    {
                        throw new BenchException("Box did not finish the commit within a minute.");
                    }
                    continue;
                }
                if (Number(entry["size"], "size") != Length || Text(entry["sha1"], "sha1") != Convert.ToHexStringLower(path.File.Sha1))
                {
                    throw new BenchException($"Box committed something else than the file: {entry.ToJsonString()}");
                }
                path._fileId = Text(entry["id"], "file id");
                return;
            }
        }
    }
}
