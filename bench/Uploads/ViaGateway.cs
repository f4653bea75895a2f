using System.Net;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>
/// Through the gateway's v1 contract (README.md, the contract): create, 1-based parts, complete with the whole-file digest the
/// backend needs. With client digests, parts carry <c>Content-Digest</c> as the .NET client sends it: the kinds the
/// session's <c>checksums_required.part</c> lists, the one the backend checks itself (<c>sha-256</c> for the sandbox,
/// <c>sha</c> for Box), so the gateway streams them and hashes nothing. The spool path (Box) and the no-digest path
/// (sandbox) send none: the gateway hashes every part itself, and for Box holds it whole first. S3 targets are
/// <c>{"key": …}</c>; its complete carries the whole object's SHA-256 (which the gateway checks by reading the object
/// back) except on <c>gateway-nowhole</c>, and what landed is then checked in the store itself.
/// </summary>
internal sealed class ViaGateway(string backend, UploadPathKind kind, HttpClient http, TestFile file, Uri gateway, string key, string sandboxId)
    : UploadPath(backend, kind, http, file)
{
    private bool IsBox => Backend == "box";

    /// <summary>The S3 store, where an S3 upload is checked (and deleted) after its complete.</summary>
    public Uri? Store { get; init; }

    private string Key => key;

    public override async Task<UploadSession> CreateAsync(CancellationToken cancellationToken)
    {
        var name = "bench-" + Name + (ClientDigest ? "" : "-nd") + ".bin";
        JsonObject target = Backend switch
        {
            "box" => new() { ["folder_id"] = "0", ["file_name"] = name },
            "s3" => new() { ["key"] = name },
            _ => new() { ["sandbox_id"] = sandboxId, ["path"] = "/workspace/" + name },
        };
        var session = await SendAsync(Http, Request(HttpMethod.Post, new Uri(gateway, "v1/uploads"), key, new JsonObject
        {
            ["backend"] = Backend,
            ["target"] = target,
            ["content_length"] = File.Length,
            // Box: a new version of the same file on every run after the first; sandbox: the file is overwritten.
            ["conflict"] = "replace",
        }), $"create ({Backend}, {Name})", cancellationToken, HttpStatusCode.Created);
        var partSize = Number(session["part_size"], "part_size");
        var digests = ClientDigest && Kind is UploadPathKind.Gateway or UploadPathKind.GatewayNoWholeDigest;
        var required = session["checksums_required"]?["part"]?.AsArray().Select(a => a?.GetValue<string>()).ToList() ?? [];
        return new Session(this, name, new Uri(gateway, $"v1/uploads/{Text(session["upload_id"], "upload_id")}/"),
            digests && required.Contains("sha256") ? File.PartSha256(partSize) : null,
            digests && required.Contains("sha1") ? File.PartSha1(partSize) : null)
        {
            PartSize = partSize,
            PartCount = (int)Number(session["part_count"], "part_count"),
            Length = File.Length,
        };
    }

    private sealed class Session(ViaGateway path, string name, Uri upload, byte[][]? partSha256, byte[][]? partSha1) : UploadSession
    {
        public override HttpRequestMessage PartRequest(int index)
        {
            var request = path.PartRequest(HttpMethod.Put, new Uri(upload, "parts/" + Invariant(index + 1)), path.Key, OffsetOf(index), SizeOf(index));
            string?[] digests =
            [
                partSha256 is null ? null : $"sha-256=:{Convert.ToBase64String(partSha256[index])}:",
                partSha1 is null ? null : $"sha=:{Convert.ToBase64String(partSha1[index])}:",
            ];
            if (digests.Any(d => d is not null))
            {
                request.Headers.TryAddWithoutValidation("Content-Digest", string.Join(", ", digests.OfType<string>()));
            }
            return request;
        }

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            var checksum = path.IsBox
                ? new JsonObject { ["sha1"] = Convert.ToHexStringLower(path.File.Sha1) }
                : path.Kind == UploadPathKind.GatewayNoWholeDigest ? null
                : new JsonObject { ["sha256"] = Convert.ToHexStringLower(path.File.Sha256) };
            for (var attempt = 0; ; attempt++)
            {
                var request = Request(HttpMethod.Post, new Uri(upload, "complete"), path.Key, checksum is null ? new JsonObject() : new JsonObject { ["checksum"] = checksum.DeepClone() });
                var session = await SendAsync(path.Http, request, $"complete ({path.Backend}, {path.Name})", cancellationToken, HttpStatusCode.OK, HttpStatusCode.Accepted);
                if (session["status"]?.GetValue<string>() != "completed")
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    if (attempt > 60)
                    {
                        throw new BenchException("The gateway did not finish completing within a minute.");
                    }
                    continue;
                }
                var result = session["result"];
                var landed = path.IsBox
                    ? Text(result?["sha1"], "result.sha1") == Convert.ToHexStringLower(path.File.Sha1)
                    : Number(result?["size"], "result.size") == Length;
                if (!landed || Number(session["accepted_bytes"], "accepted_bytes") != Length)
                {
                    throw new BenchException($"The gateway completed something else than the file: {session.ToJsonString()}");
                }
                if (path.Store is { } store)
                {
                    await S3Store.CheckAndDeleteAsync(store, name, path.File, cancellationToken);
                }
                return;
            }
        }
    }
}
