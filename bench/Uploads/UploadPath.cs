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

    public string Name => BaseName + Client.Suffix + (Before ? "-before" : "");

    /// <summary>The path's name without its client and build: what the summary's rows and targets are keyed by.</summary>
    public string BaseName => Kind switch
    {
        UploadPathKind.Direct => "direct",
        UploadPathKind.Gateway => "gateway",
        UploadPathKind.Haproxy => "haproxy",
        UploadPathKind.Nginx => "nginx",
        UploadPathKind.GatewayNoDigest => "gateway-nodigest",
        UploadPathKind.Tus => "tus",
        UploadPathKind.TusPeer => "tus-peer",
        UploadPathKind.BoxFront => "box-front",
        UploadPathKind.GatewayNoWholeDigest => "gateway-nowhole",
        _ => "gateway-spool",
    };

    /// <summary>Which client sends the parts: the benchmark's own (256 KiB writes), the same with small writes, or curl.</summary>
    public ClientKind Client { get; init; } = ClientKind.Dotnet;

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
        UploadPathKind.TusPeer => "tus-peer",
        _ => Before ? "gateway-before" : "gateway",
    };

    public HttpClient Http { get; } = http;

    public TestFile File { get; } = file;

    /// <summary>Creates a backend session for the whole file (not timed).</summary>
    public abstract Task<UploadSession> CreateAsync(CancellationToken cancellationToken);

    internal static async Task<JsonNode> SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken,
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
        request.Content = new FilePartContent(File.Handle, offset, size, Client.WriteSize);
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

/// <summary>
/// One upload session: its parts can be sent in any order and in parallel, then it is completed. A part is one
/// request (<see cref="PartRequest"/>) whose body is the part's bytes of the file, so that the .NET client and curl
/// send exactly the same thing.
/// </summary>
internal abstract class UploadSession
{
    public required long PartSize { get; init; }

    public required int PartCount { get; init; }

    public required long Length { get; init; }

    public long OffsetOf(int index) => index * PartSize;

    public long SizeOf(int index) => Math.Min(PartSize, Length - OffsetOf(index));

    /// <summary>The request that sends part <paramref name="index"/> (0-based); its content is a <see cref="FilePartContent"/>.</summary>
    public abstract HttpRequestMessage PartRequest(int index);

    /// <summary>The status a part's answer must have.</summary>
    public virtual HttpStatusCode PartStatus => HttpStatusCode.OK;

    /// <summary>What the session keeps of a part's answer (Box: the part, for the commit).</summary>
    public virtual void PartAnswered(int index, JsonNode answer)
    {
    }

    /// <summary>Sends part <paramref name="index"/> (0-based) with the .NET client and reads the answer.</summary>
    public async Task PutPartAsync(HttpClient http, int index, CancellationToken cancellationToken) =>
        PartAnswered(index, await UploadPath.SendAsync(http, PartRequest(index), $"part {index}", cancellationToken, PartStatus));

    /// <summary>Completes the upload and checks that what landed is the file (size and digest as the backend reports them).</summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Set by the runner. A session whose last part also completes the upload (tus has no complete call) calls it once
    /// that part's body is sent: what follows, the commit inside the last request, is counted as the complete, as
    /// the complete call of the other paths is.
    /// </summary>
    public Action? LastBodySent { get; set; }
}
