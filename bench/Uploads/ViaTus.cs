using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>
/// Through the gateway's tus 1.0 front (docs/tus.md): <c>POST /tus/</c> with <c>Upload-Length</c> and the target in
/// <c>Upload-Metadata</c>, then one <c>PATCH</c> per part of the session's part size, in order, one at a time (what
/// tus-js-client does with <c>chunkSize</c> = the part size). Each PATCH covers exactly one part, so the gateway
/// streams it through the part path without staging a tail; the last one also completes the session (tus has no
/// complete call), so its latency includes the commit. What the last PATCH takes after its body is sent is counted
/// as the complete (<see cref="UploadSession.LastBodySent"/>), as v1's complete call is, on both tus paths.
/// No digests: a tus client sends none per part.
/// <paramref name="patchSize"/> (<c>--tus-patch</c>) sends PATCHes of that size instead (the whole file: one PATCH).
/// <see cref="Checksum"/> (<c>--tus-checksum</c>) adds each PATCH's <c>Upload-Checksum</c> (its SHA-1, computed before timing).
/// The <c>tus-peer</c> path is the same client against @tus/server's <c>/files/</c>, which only writes files: its
/// uploads are done when a <c>HEAD</c> reports every byte.
/// </summary>
internal sealed class ViaTus(string backend, UploadPathKind kind, HttpClient http, TestFile file, Uri server, string key, string sandboxId, long? patchSize, long peerPartSize)
    : UploadPath(backend, kind, http, file)
{
    private string Key => key;

    /// <summary>Each PATCH carries its <c>Upload-Checksum</c> (the gateway's tus path only).</summary>
    public bool Checksum { get; init; }

    private bool Peer => Kind == UploadPathKind.TusPeer;

    public override async Task<UploadSession> CreateAsync(CancellationToken cancellationToken)
    {
        if (Peer)
        {
            var upload = await PostAsync(new Uri(server, "files/"), new Dictionary<string, string> { ["filename"] = "bench-" + Name + ".bin" }, cancellationToken);
            return new Session(this, upload, null) { PartSize = patchSize ?? peerPartSize, PartCount = Count(patchSize ?? peerPartSize), Length = File.Length };
        }
        return await CreateOnGatewayAsync(cancellationToken);
    }

    private int Count(long partSize) => (int)((File.Length + partSize - 1) / partSize);

    private async Task<Uri> PostAsync(Uri uri, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Post, uri, key);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", Invariant(File.Length));
        request.Headers.Add("Upload-Metadata", string.Join(",", metadata.Select(m => m.Key + " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(m.Value)))));
        request.Content = new ByteArrayContent([]);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created || response.Headers.Location is not { } location)
        {
            throw new BenchException($"tus create ({Backend}, {Name}) answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return new Uri(uri, location);
    }

    private async Task<UploadSession> CreateOnGatewayAsync(CancellationToken cancellationToken)
    {
        var name = "bench-" + Name + ".bin";
        var metadata = new Dictionary<string, string> { ["backend"] = Backend, ["conflict"] = "replace", ["filename"] = name };
        if (Backend == "box")
        {
            metadata["folder_id"] = "0";
        }
        else if (Backend == "s3")
        {
            metadata["key"] = "bench/" + name;
        }
        else
        {
            metadata["sandbox_id"] = sandboxId;
            metadata["path"] = "/workspace/" + name;
        }
        var upload = await PostAsync(new Uri(server, "tus/"), metadata, cancellationToken);
        // The tus upload is a gateway session; its part size is the backend's.
        var id = upload.Segments[^1];
        var session = await SendAsync(Http, Request(HttpMethod.Get, new Uri(server, "v1/uploads/" + id), key), "tus session", cancellationToken, HttpStatusCode.OK);
        var partSize = patchSize ?? Number(session["part_size"], "part_size");
        return new Session(this, upload, new Uri(server, "v1/uploads/" + id)) { PartSize = partSize, PartCount = Count(partSize), Length = File.Length };
    }

    private sealed class Session(ViaTus path, Uri upload, Uri? status) : UploadSession
    {
        public override HttpStatusCode PartStatus => HttpStatusCode.NoContent;

        public override HttpRequestMessage PartRequest(int index)
        {
            var request = path.PartRequest(HttpMethod.Patch, upload, path.Key, OffsetOf(index), SizeOf(index));
            request.Headers.Add("Tus-Resumable", "1.0.0");
            request.Headers.Add("Upload-Offset", Invariant(OffsetOf(index)));
            request.Content!.Headers.ContentType = new("application/offset+octet-stream");
            if (path.Checksum && !path.Peer)
            {
                request.Headers.Add("Upload-Checksum", "sha1 " + Convert.ToBase64String(path.File.PartSha1(PartSize)[index]));
            }
            if (index == PartCount - 1 && LastBodySent is { } sent)
            {
                request.Content = new Marked(request.Content, sent);
            }
            return request;
        }

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (status is null)
            {
                var head = Request(HttpMethod.Head, upload, path.Key);
                head.Headers.Add("Tus-Resumable", "1.0.0");
                using var response = await path.Http.SendAsync(head, cancellationToken);
                var offset = response.Headers.TryGetValues("Upload-Offset", out var values) ? values.FirstOrDefault() : null;
                if (offset != Invariant(Length))
                {
                    throw new BenchException($"tus-peer holds {offset ?? "no"} bytes of {Length} after the last PATCH.");
                }
                return;
            }
            for (var attempt = 0; ; attempt++)
            {
                var session = await SendAsync(path.Http, Request(HttpMethod.Get, status, path.Key), "tus status", cancellationToken, HttpStatusCode.OK);
                if (session["status"]?.GetValue<string>() == "completed")
                {
                    if (Number(session["accepted_bytes"], "accepted_bytes") != Length)
                    {
                        throw new BenchException($"The tus upload completed with something else than the file: {session.ToJsonString()}");
                    }
                    return;
                }
                if (attempt > 60)
                {
                    throw new BenchException($"The tus upload did not complete: {session.ToJsonString()}");
                }
                // Box may still be assembling; a HEAD drives the commit again (docs/tus.md, completion).
                var head = Request(HttpMethod.Head, upload, path.Key);
                head.Headers.Add("Tus-Resumable", "1.0.0");
                using (var response = await path.Http.SendAsync(head, cancellationToken))
                {
                }
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>A part's content that says when its last byte has been handed to the connection.</summary>
    private sealed class Marked : HttpContent
    {
        private readonly HttpContent _part;
        private readonly Action _sent;

        public Marked(HttpContent part, Action sent)
        {
            _part = part;
            _sent = sent;
            foreach (var header in part.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await _part.CopyToAsync(stream, context, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _sent();
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = _part.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _part.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
