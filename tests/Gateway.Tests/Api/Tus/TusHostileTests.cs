using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Support;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>One system for the tus hostile catalogue, with a live upload for the cases to aim at.</summary>
public sealed class TusHostileFixture : IAsyncLifetime
{
    public GatewayHarness System { get; private set; } = null!;

    public string Location { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        System = await GatewayHarness.StartAsync(gateway: s =>
        {
            TusSettings.Apply(s);
            s["Gateway:Tenants:acme:Limits:RequestsPerSecond"] = "100000";
            s["Gateway:Tenants:acme:Limits:RequestBurst"] = "100000";
        });
        using var client = System.Client();
        Location = await CreatedAsync(client, 1000, Metadata(("filename", "hostile-target.bin")));
    }

    public async Task DisposeAsync() => await System.DisposeAsync();
}

/// <summary>
/// Hostile tus requests: malformed numbers, metadata and checksums, huge headers, unknown ids and methods.
/// Each gets its precise 4xx (with the problem body's code where the gateway answers), never a 500, and the
/// live upload is unaffected.
/// </summary>
public sealed class TusHostileTests(TusHostileFixture fixture) : IClassFixture<TusHostileFixture>
{
    private sealed record Case(string Name, Func<string, HttpRequestMessage> Build, int Status, string? Code, string? MetadataKey = null);

    private static readonly Case[] All =
    [
        new("create without Upload-Length", _ => Without(Create(10, Metadata(("filename", "a"))), "Upload-Length"), 400, "invalid_request"),
        new("create with a negative Upload-Length", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", "-1"), 400, "invalid_request"),
        new("create with a non-numeric Upload-Length", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", "ten"), 400, "invalid_request"),
        new("create with a 20-digit Upload-Length", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", "99999999999999999999"), 400, "invalid_request"),
        new("create with Upload-Length in hex", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", "0x10"), 400, "invalid_request"),
        new("create with two Upload-Length headers", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", "1", "2"), 400, "invalid_request"),
        new("create with Upload-Length and a plus sign", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", "+10"), 400, "invalid_request"),
        new("create with an empty Upload-Length", _ => Replace(Create(10, Metadata(("filename", "a"))), "Upload-Length", ""), 400, "invalid_request"),
        new("a final upload naming 1001 partials", _ => With(Create(10, null), "Upload-Concat",
            "final;" + string.Join(" ", Enumerable.Repeat("/tus/pt_x", 1001))), 400, "invalid_request"),
        new("create with metadata that is not base64", _ => Create(10, "filename !!!not-base64!!!"), 400, "invalid_request", "filename"),
        new("create with metadata that is not UTF-8", _ => Create(10, "filename /w=="), 400, "invalid_request", "filename"),
        new("create with a metadata pair of three words", _ => Create(10, "filename YQ== YQ=="), 400, "invalid_request", "filename"),
        new("create with a metadata key twice", _ => Create(10, "filename YQ==,filename Yg=="), 400, "invalid_request", "filename"),
        new("create with an empty metadata pair", _ => Create(10, "filename YQ==,,filetype YQ=="), 400, "invalid_request"),
        new("create with metadata over 8 KiB", _ => Create(10, "filename " + Convert.ToBase64String(new byte[7000])), 400, "invalid_request"),
        new("create with an unknown backend", _ => Create(10, Metadata(("backend", "nope"), ("filename", "a"))), 422, "unknown_backend", "backend"),
        new("create with a filename that climbs", _ => Create(10, Metadata(("filename", "../etc/passwd"))), 400, "invalid_request", "filename"),
        new("create with a filename with a slash", _ => Create(10, Metadata(("filename", "a/b"))), 400, "invalid_request", "filename"),
        new("create with a bogus conflict", _ => Create(10, Metadata(("filename", "a"), ("conflict", "overwrite"))), 400, "invalid_request", "conflict"),
        new("create on box without a folder", _ => Create(10, Metadata(("backend", "box"), ("filename", "a"))), 400, "invalid_request", "folder_id"),
        new("create on the sandbox without a name", _ => Create(10, Metadata(("filetype", "text/plain"))), 400, "invalid_request", "filename"),
        new("create with a relative path", _ => Create(10, Metadata(("path", "relative/a.bin"))), 422, "invalid_target"),
        new("create with a path of ascii backslashes", _ => Create(10, Metadata(("path", "/workspace/..\\..\\dev/x.bin"))), 422, "invalid_target"),
        new("create with a path of vertical dot leaders", _ => Create(10, Metadata(("path", "/workspace/\uFE30/\uFE30/dev/x.bin"))), 422, "invalid_target"),
        new("create with a percent-encoded dot dot", _ => Create(10, Metadata(("path", "/workspace/%2e%2e/x.bin"))), 422, "invalid_target"),
        new("create with Upload-Defer-Length", _ => With(Without(Create(10, null), "Upload-Length"), "Upload-Defer-Length", "1"), 400, "invalid_request"),
        new("create with an unknown Upload-Concat", _ => With(Create(10, null), "Upload-Concat", "parallel"), 400, "invalid_request"),
        new("a final upload of no partials", _ => With(Create(10, null), "Upload-Concat", "final;"), 400, "invalid_request"),
        new("a final upload of an unknown partial", _ => With(Create(10, null), "Upload-Concat", "final;/tus/pt_0123456789abcdef0123456789abcdef"), 400, "invalid_request"),
        new("a final upload of a session, not a partial", l => With(Create(10, null), "Upload-Concat", "final;" + l), 400, "invalid_request"),
        new("a final upload of a path that climbs", _ => With(Create(10, null), "Upload-Concat", "final;/tus/../../etc/passwd"), 400, "invalid_request"),
        new("a partial upload over the max size", _ => With(Create(51L * 1024 * 1024 * 1024, null), "Upload-Concat", "partial"), 413, "upload_too_large"),
        new("a partial upload without a length", _ => With(Without(Create(10, null), "Upload-Length"), "Upload-Concat", "partial"), 400, "invalid_request"),
        new("head of an unknown partial", _ => Head("/tus/pt_0123456789abcdef0123456789abcdef"), 404, null),
        new("create with a body of another type", _ => WithBody(Create(10, Metadata(("filename", "a"))), "application/octet-stream"), 415, "invalid_request"),
        new("create without Tus-Resumable", _ => Without(Create(10, Metadata(("filename", "a"))), "Tus-Resumable"), 412, "invalid_request"),
        new("patch without Upload-Offset", l => Without(Patch(l, 0, new byte[1]), "Upload-Offset"), 400, "invalid_request"),
        new("patch with a negative Upload-Offset", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", "-1"), 400, "invalid_request"),
        new("patch with a non-numeric Upload-Offset", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", "zero"), 400, "invalid_request"),
        new("patch with a fractional Upload-Offset", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", "0.5"), 400, "invalid_request"),
        new("patch with a huge Upload-Offset", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", "9223372036854775807"), 409, "invalid_state"),
        new("patch past Upload-Length", l => Patch(l, 0, new byte[1001]), 413, "upload_too_large"),
        new("patch past Upload-Length without a Content-Length", l => Chunked(Patch(l, 0, new byte[1001]), new byte[1001]), 413, "upload_too_large"),
        new("patch with an empty Upload-Offset", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", ""), 400, "invalid_request"),
        new("patch with two Upload-Offset headers", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", "0", "0"), 400, "invalid_request"),
        new("patch with Upload-Offset in exponent form", l => Replace(Patch(l, 0, new byte[1]), "Upload-Offset", "1e3"), 400, "invalid_request"),
        new("patch with an md5 checksum", l => With(Patch(l, 0, new byte[1]), "Upload-Checksum", "md5 1B2M2Y8AsgTpgAmY7PhCfg=="), 400, "invalid_request"),
        new("patch with a checksum that is not base64", l => With(Patch(l, 0, new byte[1]), "Upload-Checksum", "sha1 ***"), 400, "invalid_request"),
        new("patch with a checksum of the wrong size", l => With(Patch(l, 0, new byte[1]), "Upload-Checksum", "sha256 AAAA"), 400, "invalid_request"),
        new("patch with a checksum and no algorithm", l => With(Patch(l, 0, new byte[1]), "Upload-Checksum", "AAAA"), 400, "invalid_request"),
        new("patch without a content type", l => NoContentType(Patch(l, 0, new byte[1])), 415, "invalid_request"),
        new("patch with Tus-Resumable 0.2.2", l => Replace(Patch(l, 0, new byte[1]), "Tus-Resumable", "0.2.2"), 412, "invalid_request"),
        new("patch of an id that is not one", _ => Patch("/tus/not-an-id", 0, new byte[1]), 404, "not_found"),
        new("patch of an id with dots", _ => Patch("/tus/up_..", 0, new byte[1]), 404, "not_found"),
        new("patch of an unknown upload", _ => Patch("/tus/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, new byte[1]), 404, "not_found"),
        new("head of an unknown upload", _ => Head("/tus/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 404, null),
        new("delete of an unknown upload", _ => Delete("/tus/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 404, "not_found"),
        new("an override to PUT", l => With(Replace(Patch(l, 0, new byte[1]), null, null), "X-HTTP-Method-Override", "PUT", HttpMethod.Post), 405, "method_not_allowed"),
        new("a request header of 40 KiB", l => With(Head(l), "X-Padding", new string('a', 40 * 1024)), 431, null),
        new("patch without credentials", l => Anonymous(Patch(l, 0, new byte[1])), 401, "unauthorized"),
        new("patch with a wrong key", l => Bearer(Patch(l, 0, new byte[1]), "wrong-key-0123456789"), 401, "unauthorized"),
        new("patch of another tenant's upload", l => Bearer(Patch(l, 0, new byte[1]), GatewayHarness.OtherKey), 404, "not_found"),
    ];

    public static TheoryData<string> Cases => [.. All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_tus_request_gets_its_precise_4xx(string name)
    {
        var @case = All.Single(c => c.Name == name);
        using var client = fixture.System.Gateway.CreateClient();
        using var request = @case.Build(fixture.Location);
        if (request.Headers.Authorization is null && !request.Options.TryGetValue(AnonymousKey, out _))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHarness.AcmeKey);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == @case.Status, $"{name}: expected {@case.Status}, got {(int)response.StatusCode}: {text}");
        if (@case.Code is not null)
        {
            var body = JsonDocument.Parse(text).RootElement;
            Assert.Equal(@case.Code, body.GetProperty("code").GetString());
            if (@case.MetadataKey is not null)
            {
                Assert.Equal(@case.MetadataKey, body.GetProperty("metadata_key").GetString());
            }
        }
        using var owner = fixture.System.Client();
        Assert.Equal(0, await HeadOffsetAsync(owner, fixture.Location));
    }

    private static readonly HttpRequestOptionsKey<bool> AnonymousKey = new("anonymous");

    private static HttpRequestMessage Without(HttpRequestMessage request, string header)
    {
        request.Headers.Remove(header);
        return request;
    }

    private static HttpRequestMessage Replace(HttpRequestMessage request, string? header, params string[]? values)
    {
        if (header is not null)
        {
            request.Headers.Remove(header);
            request.Headers.TryAddWithoutValidation(header, values!);
        }
        return request;
    }

    private static HttpRequestMessage With(HttpRequestMessage request, string header, string value, HttpMethod? method = null)
    {
        request.Headers.TryAddWithoutValidation(header, value);
        if (method is not null)
        {
            request.Method = method;
        }
        return request;
    }

    private static HttpRequestMessage WithBody(HttpRequestMessage request, string contentType)
    {
        request.Content = new ByteArrayContent(Encoding.ASCII.GetBytes("0123456789"));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return request;
    }

    /// <summary>The body sent without a Content-Length, so how long it is shows only as it is read.</summary>
    private static HttpRequestMessage Chunked(HttpRequestMessage request, byte[] body)
    {
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = request.Content!.Headers.ContentType;
        content.Headers.ContentLength = null;
        request.Content = content;
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    private static HttpRequestMessage NoContentType(HttpRequestMessage request)
    {
        request.Content!.Headers.ContentType = null;
        return request;
    }

    private static HttpRequestMessage Anonymous(HttpRequestMessage request)
    {
        request.Options.Set(AnonymousKey, true);
        return request;
    }

    private static HttpRequestMessage Bearer(HttpRequestMessage request, string key)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
