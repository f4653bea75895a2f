using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using UploadGateway.Client.Http;
using UploadGateway.Client.Uploads;
using UploadGateway.Contract;

namespace UploadGateway.Client;

/// <summary>
/// The gateway's v1 upload contract (README.md, the contract): typed, async, cancellable, retrying what the contract
/// calls retryable. Thread-safe; one instance per gateway and credential is meant to live long.
/// </summary>
/// <remarks>
/// The control-plane methods map one-to-one onto the endpoints. <see cref="UploadFileAsync"/>,
/// <see cref="UploadDirectoryAsync"/> and <see cref="ResumeAsync"/> do a whole upload: parts in parallel,
/// streamed from disk, digests computed while reading, complete (with its 202 polling) at the end.
/// </remarks>
public sealed class GatewayClient : IDisposable
{
    internal const string ContentDigestHeader = ContractValues.Headers.ContentDigest;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _base;
    private readonly AuthenticationHeaderValue _authorization;

    /// <summary>A client with its own connection pool.</summary>
    public GatewayClient(GatewayClientOptions options)
        : this(CreateHttpClient(), options, ownsHttp: true)
    {
    }

    /// <summary>
    /// A client on the caller's <see cref="HttpClient"/> (e.g. from <c>IHttpClientFactory</c>), which it does not
    /// dispose. Its <c>BaseAddress</c> and default headers are not used: every request is absolute and carries
    /// its own <c>Authorization</c>, so one HttpClient may serve several gateways or tenants.
    /// </summary>
    public GatewayClient(HttpClient httpClient, GatewayClientOptions options)
        : this(httpClient, options, ownsHttp: false)
    {
    }

    private GatewayClient(HttpClient httpClient, GatewayClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey);
        if (!options.BaseAddress.IsAbsoluteUri || options.BaseAddress.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The gateway address must be an absolute http(s) URL, not '{options.BaseAddress}'.", nameof(options));
        }
        _http = httpClient;
        _ownsHttp = ownsHttp;
        Options = options;
        // "http://host/gw" + "v1/uploads" must give /gw/v1/uploads: a base without its trailing slash loses its last segment.
        _base = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        _authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        Retry = new RetryPolicy(options.Retry, options.RequestTimeout, options.TimeProvider);
    }

    public GatewayClientOptions Options { get; }

    internal RetryPolicy Retry { get; }

    /// <summary><c>POST /v1/uploads</c>: creates a session (and the backend's). Retried only on explicit 429/503 refusals.</summary>
    public Task<UploadSession> CreateUploadAsync(CreateUploadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, Url("v1/uploads")) { Content = Json(request, ClientJsonContext.Default.CreateUploadRequest) },
            ClientJsonContext.Default.UploadSession, idempotent: false, cancellationToken);
    }

    /// <summary><c>GET /v1/uploads/{id}</c>: the session's state, including <see cref="UploadSession.MissingParts"/> for resuming.</summary>
    public Task<UploadSession> GetUploadAsync(string uploadId, CancellationToken cancellationToken = default) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, UploadUrl(uploadId)), ClientJsonContext.Default.UploadSession, idempotent: true, cancellationToken);

    /// <summary>
    /// <c>PUT /v1/uploads/{id}/parts/{n}</c> from memory, for callers that hold a part's bytes. The part's
    /// SHA-256 is always sent in <c>Content-Digest</c>; its SHA-1 too when <paramref name="includeSha1"/> (Box
    /// backends, whose <c>checksums_required.part</c> lists <c>sha1</c>: without it the gateway must spool the part).
    /// </summary>
    public Task<PartReceipt> PutPartAsync(string uploadId, int partNumber, ReadOnlyMemory<byte> data, bool includeSha1 = false, CancellationToken cancellationToken = default)
    {
        var sha256 = SHA256.HashData(data.Span);
        var sha1 = includeSha1 ? SHA1.HashData(data.Span) : null;
        return PutPartAsync(uploadId, partNumber, () => new ReadOnlyMemoryContent(data) { Headers = { ContentType = new("application/octet-stream") } },
            sha256, sha1, cancellationToken);
    }

    /// <summary>Streams one part: <paramref name="content"/> makes a fresh body per attempt.</summary>
    internal Task<PartReceipt> PutPartAsync(string uploadId, int partNumber, Func<HttpContent> content, byte[]? sha256, byte[]? sha1,
        CancellationToken cancellationToken, Action<Exception, TimeSpan>? retrying = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        var digest = ContentDigestValue(sha256, sha1);
        return SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, UploadUrl(uploadId, "/parts/" + partNumber.ToString(CultureInfo.InvariantCulture))) { Content = content() };
                request.Headers.TryAddWithoutValidation(ContentDigestHeader, digest);
                return request;
            },
            ClientJsonContext.Default.PartReceipt, idempotent: true, cancellationToken, retrying);
    }

    /// <summary><c>GET /v1/uploads/{id}/parts</c>, every page: the parts received so far, ascending.</summary>
    public async IAsyncEnumerable<PartInfo> ListPartsAsync(string uploadId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int? after = 0;
        while (after is { } from)
        {
            var page = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, UploadUrl(uploadId, $"/parts?after={from}&limit=1000")),
                ClientJsonContext.Default.PartsPage, idempotent: true, cancellationToken).ConfigureAwait(false);
            foreach (var part in page.Parts)
            {
                yield return part;
            }
            after = page.NextAfter;
        }
    }

    /// <summary>
    /// <c>POST /v1/uploads/{id}/complete</c>. While the backend still assembles (<c>202</c>) the request is repeated
    /// after its <c>Retry-After</c>, which the contract makes safe, until the session is completed or
    /// <see cref="GatewayClientOptions.CompletionTimeout"/> passes (<see cref="TimeoutException"/>).
    /// </summary>
    /// <param name="checksum">The whole-object digests; <c>checksums_required.complete</c> says which the backend needs.</param>
    public async Task<UploadSession> CompleteAsync(string uploadId, WholeChecksums? checksum = null, CancellationToken cancellationToken = default)
    {
        var time = Options.TimeProvider;
        var started = time.GetTimestamp();
        while (true)
        {
            var (session, retryAfter) = await Retry.ExecuteAsync(async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, UploadUrl(uploadId, "/complete"))
                {
                    Content = Json(new CompleteRequest(checksum), ClientJsonContext.Default.CompleteRequest),
                };
                using var response = await SendOnceAsync(request, ct).ConfigureAwait(false);
                var body = await ReadAsync(response, ClientJsonContext.Default.UploadSession, ct).ConfigureAwait(false);
                return (body, response.StatusCode == HttpStatusCode.Accepted ? RetryAfterOf(response, time) ?? TimeSpan.FromSeconds(1) : (TimeSpan?)null);
            }, idempotent: true, cancellationToken).ConfigureAwait(false);
            if (retryAfter is not { } wait)
            {
                return session;
            }
            if (time.GetElapsedTime(started) + wait > Options.CompletionTimeout)
            {
                throw new TimeoutException($"Upload {uploadId} was still completing after {Options.CompletionTimeout}; complete it again later.");
            }
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>DELETE /v1/uploads/{id}</c>: aborts the session and releases what it reserved.</summary>
    public Task AbortAsync(string uploadId, CancellationToken cancellationToken = default) =>
        Retry.ExecuteAsync(async ct =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, UploadUrl(uploadId));
            using var response = await SendOnceAsync(request, ct).ConfigureAwait(false);
            await ThrowIfFailedAsync(response, ct).ConfigureAwait(false);
            return true;
        }, idempotent: true, cancellationToken);

    /// <summary><c>GET /v1/uploads</c>: one page of the caller's sessions, newest first.</summary>
    public Task<UploadsPage> ListUploadsAsync(UploadListQuery? query = null, CancellationToken cancellationToken = default)
    {
        var parameters = new List<string>();
        if (query?.Status is { } status)
        {
            parameters.Add("status=" + Uri.EscapeDataString(status));
        }
        if (query?.Limit is { } limit)
        {
            parameters.Add("limit=" + limit.ToString(CultureInfo.InvariantCulture));
        }
        if (query?.Cursor is { } cursor)
        {
            parameters.Add("cursor=" + Uri.EscapeDataString(cursor));
        }
        var url = Url("v1/uploads" + (parameters.Count == 0 ? "" : "?" + string.Join('&', parameters)));
        return SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), ClientJsonContext.Default.UploadsPage, idempotent: true, cancellationToken);
    }

    /// <summary><c>GET /v1/backends</c>: the backends this caller may use, with their rules.</summary>
    public async Task<IReadOnlyList<BackendInfo>> GetBackendsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url("v1/backends")), ClientJsonContext.Default.BackendsBody, idempotent: true, cancellationToken)
            .ConfigureAwait(false)).Backends;

    /// <summary>
    /// Uploads a file from disk: creates the session, sends the parts in parallel (streamed, each with its
    /// digests), and completes it with the whole-object digests computed while reading. When this throws after
    /// the session was created (see <see cref="FileUploadOptions.Started"/>), <see cref="ResumeAsync"/> continues it.
    /// </summary>
    public async Task<UploadSession> UploadFileAsync(string path, UploadDestination destination, FileUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var trace = UploadTracing.Start("upload file");
        var length = new FileInfo(path) is { Exists: true } file ? file.Length : throw new FileNotFoundException($"No file {path}.", path);
        var session = await CreateUploadAsync(destination.ToRequest(UploadKinds.File, length), cancellationToken).ConfigureAwait(false);
        return await new FileUpload(this, options ?? new()).RunAsync(session, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a directory as a <c>directory_tar</c> (sandbox backends), unpacked at the target path. The tar is
    /// written to a temporary file first (never built in memory) and deleted afterwards. It is built the same
    /// way every time, so an interrupted upload resumes from the same directory with <see cref="ResumeAsync"/>.
    /// </summary>
    public async Task<UploadSession> UploadDirectoryAsync(string directory, UploadDestination destination, FileUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new();
        using var trace = UploadTracing.Start("upload directory");
        await using var archive = await DirectoryArchive.CreateAsync(directory, options.TempDirectory, cancellationToken).ConfigureAwait(false);
        var session = await CreateUploadAsync(destination.ToRequest(UploadKinds.DirectoryTar, archive.Length), cancellationToken).ConfigureAwait(false);
        return await new FileUpload(this, options).RunAsync(session, archive.Path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Continues an upload from where the gateway says it stands (<c>missing_parts</c>), with the same file
    /// (or, for a <c>directory_tar</c> session, the same directory). Parts the gateway already holds are not
    /// sent again but are checked against the local content, so resuming with the wrong file fails with
    /// <see cref="UploadContentMismatchException"/> instead of storing a mix. A completed upload is returned as it is.
    /// </summary>
    public async Task<UploadSession> ResumeAsync(string uploadId, string path, FileUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new();
        using var trace = UploadTracing.Start("resume upload");
        var session = await GetUploadAsync(uploadId, cancellationToken).ConfigureAwait(false);
        if (session.Status == UploadStatuses.Completed)
        {
            return session;
        }
        if (session.Kind == UploadKinds.DirectoryTar)
        {
            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException($"Upload {uploadId} is a directory archive: give the directory it was made from, not '{path}'.");
            }
            await using var archive = await DirectoryArchive.CreateAsync(path, options.TempDirectory, cancellationToken).ConfigureAwait(false);
            return await new FileUpload(this, options).RunAsync(session, archive.Path, cancellationToken).ConfigureAwait(false);
        }
        if (Directory.Exists(path))
        {
            throw new UploadContentMismatchException(uploadId, $"Upload {uploadId} is of a file: give the file it was started with, not the directory '{path}'.");
        }
        return await new FileUpload(this, options).RunAsync(session, path, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>RFC 9530 §2: <c>sha-256=:base64:</c>, and <c>sha=:base64:</c> when given.</summary>
    internal static string ContentDigestValue(byte[]? sha256, byte[]? sha1) =>
        string.Join(", ", new[] { (Name: "sha-256", Digest: sha256), (Name: "sha", Digest: sha1) }
            .Where(d => d.Digest is not null)
            .Select(d => $"{d.Name}=:{Convert.ToBase64String(d.Digest!)}:"));

    private Task<T> SendAsync<T>(Func<HttpRequestMessage> create, JsonTypeInfo<T> type, bool idempotent, CancellationToken cancellationToken,
        Action<Exception, TimeSpan>? retrying = null) =>
        Retry.ExecuteAsync(async ct =>
        {
            using var request = create();
            using var response = await SendOnceAsync(request, ct).ConfigureAwait(false);
            return await ReadAsync(response, type, ct).ConfigureAwait(false);
        }, idempotent, cancellationToken, retrying);

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.ParseAdd("application/json");
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
            ?? throw new JsonException($"The gateway answered {(int)response.StatusCode} with an empty body.");
    }

    /// <summary>Turns a refusal into <see cref="GatewayException"/>, from its problem body when it has one.</summary>
    private async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        Problem? problem = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json" && text.Length > 0)
        {
            try
            {
                problem = JsonSerializer.Deserialize(text, ClientJsonContext.Default.Problem);
            }
            catch (JsonException)
            {
                // Not the contract's problem (a proxy in front of the gateway): reported by status below.
            }
        }
        var status = (int)response.StatusCode;
        var code = problem?.Code ?? "http_" + status.ToString(CultureInfo.InvariantCulture);
        var detail = problem?.Detail ?? problem?.Title ?? (text.Length is > 0 and <= 500 ? text : response.ReasonPhrase ?? "no detail");
        throw new GatewayException(response.StatusCode, code, $"{status} {code}: {detail}")
        {
            UploadId = problem?.UploadId,
            TraceId = problem?.TraceId,
            MissingParts = problem?.MissingParts,
            RetryAfter = RetryAfterOf(response, Options.TimeProvider),
        };
    }

    /// <summary>RFC 9110 §10.2.3: delay-seconds or an HTTP-date.</summary>
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static JsonContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    private Uri Url(string relative) => new(_base, relative);

    private Uri UploadUrl(string uploadId, string suffix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uploadId);
        return Url("v1/uploads/" + Uri.EscapeDataString(uploadId) + suffix);
    }

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        // Long-lived clients must notice DNS changes; parts are many short requests on a few connections.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        // Each attempt has its own timeout (GatewayClientOptions.RequestTimeout): a large part may take long.
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
