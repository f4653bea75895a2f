using System.Net;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>
/// Straight to mock-sandbox (mock-sandbox/README.md): create with an <c>Idempotency-Key</c>, zero-based parts,
/// complete with the whole file's SHA-256 (also through haproxy and nginx, the same API behind a plain proxy). Each
/// part carries <c>X-Part-SHA256</c> when the client sends digests (computed before any timing).
/// </summary>
internal sealed class DirectSandbox(UploadPathKind kind, HttpClient http, TestFile file, Uri mock, string key, string sandboxId)
    : UploadPath("sandbox", kind, http, file)
{
    private string Key => key;

    public override async Task<UploadSession> CreateAsync(CancellationToken cancellationToken)
    {
        var uploads = new Uri(mock, $"v1/sandboxes/{sandboxId}/uploads/");
        var request = Request(HttpMethod.Post, new Uri(mock, $"v1/sandboxes/{sandboxId}/uploads"), key, new JsonObject
        {
            ["kind"] = "file",
            ["source_kind"] = "restartable_file",
            ["target_path"] = $"/workspace/bench-{Name}.bin",
            ["content_length"] = File.Length,
            ["conflict"] = "replace",
        });
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var session = (await SendAsync(Http, request, $"create (sandbox, {Name})", cancellationToken, HttpStatusCode.Created))["session"];
        var partSize = Number(session?["part_size"], "part_size");
        return new Session(this, new Uri(uploads, Text(session?["upload_id"], "upload_id") + "/"), ClientDigest ? File.PartSha256(partSize) : null)
        {
            PartSize = partSize,
            PartCount = (int)Number(session?["part_count"], "part_count"),
            Length = File.Length,
        };
    }

    private sealed class Session(DirectSandbox path, Uri upload, byte[][]? partSha256) : UploadSession
    {
        public override HttpRequestMessage PartRequest(int index)
        {
            var request = path.PartRequest(HttpMethod.Put, new Uri(upload, "parts/" + Invariant(index)), path.Key, OffsetOf(index), SizeOf(index));
            if (partSha256 is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Part-SHA256", Convert.ToHexStringLower(partSha256[index]));
            }
            return request;
        }

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            var request = Request(HttpMethod.Post, new Uri(upload, "complete"), path.Key, new JsonObject
            {
                ["whole_checksum_sha256"] = Convert.ToHexStringLower(path.File.Sha256),
            });
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            var answer = await SendAsync(path.Http, request, $"complete (sandbox, {path.Name})", cancellationToken, HttpStatusCode.OK);
            if (Number(answer["published_bytes"], "published_bytes") != Length
                || Text(answer["session"]?["whole_checksum_sha256"], "whole_checksum_sha256") != Convert.ToHexStringLower(path.File.Sha256))
            {
                throw new BenchException($"The sandbox published something else than the file: {answer.ToJsonString()}");
            }
        }
    }
}
