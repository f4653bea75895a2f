using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>One way of uploading the file to one backend (direct to its mock, or through the gateway).</summary>
internal abstract class UploadPath(string backend, UploadPathKind kind, HttpClient http, TestFile file)
{
    public string Backend { get; } = backend;

    public UploadPathKind Kind { get; } = kind;

    public string Name => Kind switch
    {
        UploadPathKind.Direct => "direct",
        UploadPathKind.Gateway => "gateway",
        UploadPathKind.Haproxy => "haproxy",
        UploadPathKind.Nginx => "nginx",
        UploadPathKind.GatewayNoDigest => "gateway-nodigest",
        UploadPathKind.Tus => "tus",
        _ => "gateway-spool",
    } + (Before ? "-before" : "");

    /// <summary>Through the gateway built from <c>--compare-repo</c> (the "before" of a change).</summary>
    public bool Before { get; init; }

    /// <summary>Whether the client sends each part's digest (what the backend or the gateway then checks).</summary>
    public bool ClientDigest { get; init; }

    /// <summary>The process between client and mock (null for direct): its CPU is the path's cost, its RSS is sampled.</summary>
    public string? Middle => Kind switch
    {
        UploadPathKind.Direct => null,
        UploadPathKind.Haproxy => "haproxy",
        UploadPathKind.Nginx => "nginx",
        _ => Before ? "gateway-before" : "gateway",
    };

    protected HttpClient Http { get; } = http;

    protected TestFile File { get; } = file;

    /// <summary>Creates a backend session for the whole file (not timed).</summary>
    public abstract Task<UploadSession> CreateAsync(CancellationToken cancellationToken);

    protected static async Task<JsonNode> SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken,
        params HttpStatusCode[] expected)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!expected.Contains(response.StatusCode))
            {
                throw new BenchException($"{what}: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {Shorten(text)}");
            }
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        }
    }

    protected static HttpRequestMessage Request(HttpMethod method, Uri uri, string token, JsonNode? json = null)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        }
        return request;
    }

    protected HttpRequestMessage PartRequest(HttpMethod method, Uri uri, string token, long offset, long size)
    {
        var request = Request(method, uri, token);
        request.Content = new FilePartContent(File.Handle, offset, size);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return request;
    }

    protected static string Text(JsonNode? node, string what) =>
        node?.GetValue<string>() ?? throw new BenchException($"The answer has no {what}.");

    protected static long Number(JsonNode? node, string what) =>
        node is null ? throw new BenchException($"The answer has no {what}.") : node.GetValue<long>();

    protected static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";
}

/// <summary>One upload session: its parts can be sent in any order and in parallel, then it is completed.</summary>
internal abstract class UploadSession
{
    public required long PartSize { get; init; }

    public required int PartCount { get; init; }

    public required long Length { get; init; }

    public long OffsetOf(int index) => index * PartSize;

    public long SizeOf(int index) => Math.Min(PartSize, Length - OffsetOf(index));

    /// <summary>Sends part <paramref name="index"/> (0-based) and reads the answer.</summary>
    public abstract Task PutPartAsync(int index, CancellationToken cancellationToken);

    /// <summary>Completes the upload and checks that what landed is the file (size and digest as the backend reports them).</summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken);
}
