using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>
/// Through the gateway's tus 1.0 front (docs/tus.md): <c>POST /tus/</c> with <c>Upload-Length</c> and the target in
/// <c>Upload-Metadata</c>, then one <c>PATCH</c> per part of the session's part size, in order, one at a time (what
/// tus-js-client does with <c>chunkSize</c> = the part size). Each PATCH covers exactly one part, so the gateway
/// streams it through the part path without staging a tail; the last one also completes the session (tus has no
/// complete call), so its latency includes the commit. No digests: a tus client sends none per part.
/// </summary>
internal sealed class ViaTus(string backend, HttpClient http, TestFile file, Uri gateway, string key, string sandboxId)
    : UploadPath(backend, UploadPathKind.Tus, http, file)
{
    private string Key => key;

    public override async Task<UploadSession> CreateAsync(CancellationToken cancellationToken)
    {
        var name = "bench-" + Name + ".bin";
        var metadata = new Dictionary<string, string> { ["backend"] = Backend, ["conflict"] = "replace", ["filename"] = name };
        if (Backend == "box")
        {
            metadata["folder_id"] = "0";
        }
        else
        {
            metadata["sandbox_id"] = sandboxId;
            metadata["path"] = "/workspace/" + name;
        }
        var request = Request(HttpMethod.Post, new Uri(gateway, "tus/"), key);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", Invariant(File.Length));
        request.Headers.Add("Upload-Metadata", string.Join(",", metadata.Select(m => m.Key + " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(m.Value)))));
        request.Content = new ByteArrayContent([]);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created || response.Headers.Location is not { } location)
        {
            throw new BenchException($"tus create ({Backend}) answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        var upload = new Uri(gateway, location);
        // The tus upload is a gateway session; its part size is the backend's.
        var id = upload.Segments[^1];
        var session = await SendAsync(Http, Request(HttpMethod.Get, new Uri(gateway, "v1/uploads/" + id), key), "tus session", cancellationToken, HttpStatusCode.OK);
        return new Session(this, upload, new Uri(gateway, "v1/uploads/" + id))
        {
            PartSize = Number(session["part_size"], "part_size"),
            PartCount = (int)Number(session["part_count"], "part_count"),
            Length = File.Length,
        };
    }

    private sealed class Session(ViaTus path, Uri upload, Uri status) : UploadSession
    {
        public override async Task PutPartAsync(int index, CancellationToken cancellationToken)
        {
            var request = path.PartRequest(HttpMethod.Patch, upload, path.Key, OffsetOf(index), SizeOf(index));
            request.Headers.Add("Tus-Resumable", "1.0.0");
            request.Headers.Add("Upload-Offset", Invariant(OffsetOf(index)));
            request.Content!.Headers.ContentType = new("application/offset+octet-stream");
            await SendAsync(path.Http, request, $"tus PATCH {index}", cancellationToken, HttpStatusCode.NoContent);
        }

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
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
}
