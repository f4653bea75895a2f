using System.Net.Http.Headers;
using System.Text;
using Gateway.Tests.Auth;
using Gateway.Tests.Support;

namespace Gateway.Tests.Hostile;

/// <summary>What a hostile case can aim at: a live upload of the caller's, one of another tenant's, a Box upload.</summary>
public sealed record HostileTargets(string SandboxUpload, string BoxUpload, string OthersUpload, int PartSize);

/// <summary>One malformed or hostile request and the answer it must get.</summary>
public sealed record HostileCase(string Name, Func<HostileTargets, HttpRequestMessage> Build, int Status, string Code);

/// <summary>
/// The catalogue of issue 5: bad and huge JSON, wrong types, negative and huge lengths and part numbers,
/// malformed Content-Digest, CR/LF injection, traversal and NUL, Unicode look-alikes, oversize bodies, wrong
/// methods, other tenants' ids, garbage tokens and bad JWTs. Each case names the precise 4xx it must get.
/// </summary>
public static class HostileCases
{
    private const string Sb = GatewayHarness.SandboxId;

    public static IReadOnlyList<HostileCase> All { get; } = [.. Build()];

    public static HostileCase Named(string name) => All.Single(c => c.Name == name);

    private static IEnumerable<HostileCase> Build()
    {
        // --- Create: JSON that is not a create request ---
        foreach (var (name, body) in new[]
        {
            ("not json", "hello"), ("empty object", "{}"), ("truncated", """{"backend":"sandbox","""), ("array", "[1,2]"),
            ("null", "null"), ("number", "42"), ("string", "\"upload\""), ("true", "true"), ("trailing comma", """{"backend":"sandbox",}"""),
            ("comment", """{"backend":"sandbox" /* hi */}"""), ("single quotes", "{'backend':'sandbox'}"), ("NaN length", """{"backend":"sandbox","content_length":NaN}"""),
            ("unknown field", """{"backend":"sandbox","content_length":1,"target":{"sandbox_id":"sb_test0001","path":"/workspace/a"},"owner":"root"}"""),
            ("unknown target field", """{"backend":"sandbox","content_length":1,"target":{"sandbox_id":"sb_test0001","path":"/workspace/a","mode":"0777"}}"""),
            ("deep nesting", new string('[', 5000) + new string(']', 5000)),
            ("deep object", string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 500)),
            ("whitespace only", "   \n\t  "),
            ("bom then garbage", "\uFEFF}{"),
            ("duplicate braces", "{}{}"),
            ("control char in string", "{\"backend\":\"sand\u0001box\"}"),
        })
        {
            yield return Create($"create json: {name}", body, 400, "invalid_request");
        }

        // --- Create: fields of the wrong type ---
        var typed = new (string Field, string Value)[]
        {
            ("backend", "1"), ("backend", "[]"), ("backend", "{}"), ("backend", "true"),
            ("content_length", "\"12\""), ("content_length", "1.5"), ("content_length", "1e3"), ("content_length", "[]"), ("content_length", "true"),
            ("content_length", "99999999999999999999999"), ("content_length", "-99999999999999999999999"),
            ("kind", "1"), ("kind", "[\"file\"]"), ("conflict", "{}"), ("conflict", "0"),
            ("target", "\"/workspace/a\""), ("target", "[]"), ("target", "1"),
            ("checksum", "\"abc\""), ("checksum", "[]"),
        };
        foreach (var (field, value) in typed)
        {
            var fields = new Dictionary<string, string>
            {
                ["backend"] = "\"sandbox\"",
                ["target"] = $$"""{"sandbox_id":"{{Sb}}","path":"/workspace/typed"}""",
                ["content_length"] = "10",
                [field] = value,
            };
            yield return Create($"create type: {field}={value}", "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}", 400, "invalid_request");
        }
        foreach (var (field, value) in new[] { ("sandbox_id", "1"), ("path", "[]"), ("user", "{}"), ("folder_id", "0"), ("file_name", "true") })
        {
            yield return Create($"create type: target.{field}={value}", "{\"backend\":\"sandbox\",\"content_length\":1,\"target\":{\"" + field + "\":" + value + "}}", 400, "invalid_request");
        }
        foreach (var (field, value) in new[] { ("sha256", "1"), ("sha1", "[]") })
        {
            yield return Create($"create type: checksum.{field}={value}", "{\"backend\":\"sandbox\",\"content_length\":1,\"target\":{\"sandbox_id\":\"" + Sb + "\",\"path\":\"/workspace/a\"},\"checksum\":{\"" + field + "\":" + value + "}}", 400, "invalid_request");
        }

        // --- Create: values out of range ---
        foreach (var (name, length, status, code) in new[]
        {
            ("negative", "-1", 400, "invalid_request"), ("very negative", "-9223372036854775808", 400, "invalid_request"),
            ("max long", "9223372036854775807", 413, "upload_too_large"), ("over the tenant limit", "53687091201", 413, "upload_too_large"),
        })
        {
            yield return Create($"create length: {name}", SandboxBody("/workspace/len", length), status, code);
        }
        yield return Create("create length: box under its minimum", $$"""{"backend":"box","target":{"folder_id":"0","file_name":"tiny.bin"},"content_length":0}""", 400, "invalid_request");
        foreach (var (name, checksum) in new[] { ("short", "abc"), ("long", new string('a', 65)), ("not hex", new string('g', 64)), ("empty", "") })
        {
            yield return Create($"create checksum: sha256 {name}", "{\"backend\":\"sandbox\",\"target\":{\"sandbox_id\":\"" + Sb + "\",\"path\":\"/workspace/c\"},\"content_length\":1,\"checksum\":{\"sha256\":\"" + checksum + "\"}}", 400, "invalid_request");
        }
        foreach (var (name, backend) in new[] { ("unknown", "s3"), ("case", "Sandbox"), ("empty", ""), ("padded", " sandbox"), ("huge", new string('x', 10_000)) })
        {
            var status = backend.Length == 0 ? 400 : 422;
            yield return Create($"create backend: {name}", $$"""{"backend":"{{backend}}","target":{"sandbox_id":"{{Sb}}","path":"/workspace/b"},"content_length":1}""", status, status == 400 ? "invalid_request" : "unknown_backend");
        }
        foreach (var (name, kind) in new[] { ("zip", "zip"), ("upper", "FILE"), ("empty", "") })
        {
            yield return Create($"create kind: {name}", $$"""{"backend":"sandbox","kind":"{{kind}}","target":{"sandbox_id":"{{Sb}}","path":"/workspace/k"},"content_length":1}""", 400, "invalid_request");
        }
        yield return Create("create kind: directory to box", """{"backend":"box","kind":"directory_tar","target":{"folder_id":"0","file_name":"d"},"content_length":1}""", 422, "unsupported_kind");
        yield return Create("create conflict: unknown", SandboxBody("/workspace/x", "1", ",\"conflict\":\"overwrite\""), 400, "invalid_request");
        yield return Create("create conflict: merge for a file", SandboxBody("/workspace/x", "1", ",\"conflict\":\"merge\""), 400, "invalid_request");

        // --- Create: hostile sandbox paths ---
        foreach (var (name, path) in new[]
        {
            ("dot dot", "/workspace/../etc/passwd"), ("dot dot at end", "/workspace/a/.."), ("dot dot only", ".."), ("root dot dot", "/.."),
            ("deep escape", "/workspace/a/b/../../../../etc"), ("dot then dot dot", "/workspace/./../x"), ("relative", "workspace/a"),
            ("relative dot dot", "../workspace/a"), ("backslash escape", "..\\\\..\\\\etc\\\\passwd"), ("empty", ""), ("root", "/"), ("slashes only", "////"),
            ("dots only", "/./."), ("nul", "/workspace/a\\u0000b"), ("nul at end", "/workspace/a.txt\\u0000.jpg"), ("cr lf", "/workspace/a\\r\\nX-Injected: 1"),
            ("lf", "/workspace/a\\nb"), ("tab", "/workspace/a\\tb"), ("escape char", "/workspace/\\u001b[31ma"), ("del", "/workspace/a\\u007f"),
            ("outside roots", "/etc/passwd"), ("double slash outside", "//etc/passwd"), ("proc", "/proc/self/environ"), ("reserved", "/workspace/.nullspace/x"),
            ("tmp escape", "/tmp/../etc/shadow"), ("too long", "/workspace/" + new string('a', 5000)),
            ("fullwidth dots", "/workspace/\\uff0e\\uff0e/etc"), ("fullwidth slash", "/workspace/a\\uff0f..\\uff0fetc"), ("one dot leader pair", "/workspace/\\u2024\\u2024/etc"),
            ("fullwidth reverse solidus", "/workspace/a\\uff3c..\\uff3cb"), ("bidi override", "/workspace/invoice\\u202Efdp.exe"), ("bidi isolate", "/workspace/a\\u2066b"),
            ("rlm", "/workspace/a\\u200fb"),
            // Issue 23, finding 7: what NFKC folds into '.', '/' or '\\', ASCII backslashes and percent-encoded separators.
            ("vertical two dot leader", "/workspace/other/\\ufe30/\\ufe30/dev/x.bin"), ("vertical ellipsis", "/workspace/\\ufe19/x"),
            ("two dot leader", "/workspace/\\u2025/etc"), ("account of", "/workspace/a\\u2100x"), ("addressed to", "/workspace/a\\u2101x"),
            ("care of", "/workspace/a\\u2105x"), ("cada una", "/workspace/a\\u2106x"), ("square co", "/workspace/\\u33c7/x"),
            ("digit full stop", "/workspace/\\u2488x"), ("small reverse solidus", "/workspace/a\\ufe68b"),
            ("ascii backslashes", "/workspace/other/..\\\\..\\\\dev/x.bin"), ("percent dot dot", "/workspace/%2e%2e/etc"),
            ("percent slash", "/workspace/a%2Fb"), ("percent backslash", "/workspace/a%5c..%5cb"),
        })
        {
            yield return Create($"create path: {name}", SandboxBody(path, "1"), 422, "invalid_target");
        }
        foreach (var (name, sandbox) in new[] { ("traversal", "../sb_test0001"), ("slash", "sb_test0001/x"), ("cr lf", "sb_x\\r\\nHost: evil"), ("empty", ""), ("unknown", "sb_doesnotexist"), ("no prefix", "test0001") })
        {
            yield return Create($"create sandbox id: {name}", $$"""{"backend":"sandbox","target":{"sandbox_id":"{{sandbox}}","path":"/workspace/a"},"content_length":1}""", 422, "invalid_target");
        }
        foreach (var (name, user) in new[] { ("root path", "../root"), ("cr lf", "bob\\r\\nx"), ("upper", "Bob"), ("space", "bob smith"), ("long", new string('a', 40)) })
        {
            yield return Create($"create user: {name}", $$"""{"backend":"sandbox","target":{"sandbox_id":"{{Sb}}","path":"/workspace/a","user":"{{user}}"},"content_length":1}""", 422, "invalid_target");
        }

        // --- Create: hostile Box targets ---
        foreach (var (name, fileName) in new[]
        {
            ("slash", "a/b"), ("backslash", "a\\\\b"), ("dot", "."), ("dot dot", ".."), ("empty", ""), ("trailing space", "a "),
            ("cr lf header injection", "a.bin\\r\\nX-Injected: 1"), ("nul", "a\\u0000b"), ("too long", new string('n', 256)), ("fullwidth slash", "a\\uff0fb"),
            ("bidi override", "report\\u202Etxt.exe"),
        })
        {
            yield return Create($"create box name: {name}", $$"""{"backend":"box","target":{"folder_id":"0","file_name":"{{fileName}}"},"content_length":2000}""", 422, "invalid_target");
        }
        foreach (var (name, target) in new[]
        {
            ("folder not numeric", """{"folder_id":"root","file_name":"a"}"""), ("folder cr lf", """{"folder_id":"0\r\n","file_name":"a"}"""),
            ("folder traversal", """{"folder_id":"../0","file_name":"a"}"""), ("folder and file", """{"folder_id":"0","file_id":"1","file_name":"a"}"""),
            ("no name", """{"folder_id":"0"}"""), ("file id not numeric", """{"file_id":"abc"}"""), ("sandbox fields", """{"folder_id":"0","file_name":"a","path":"/x"}"""),
            ("unknown folder", """{"folder_id":"424242","file_name":"a"}"""), ("empty", "{}"),
        })
        {
            yield return Create($"create box target: {name}", $$"""{"backend":"box","target":{{target}},"content_length":2000}""", 422, "invalid_target");
        }

        // --- Create: oversize and mistyped bodies ---
        yield return new("create body: one megabyte", _ => Post("/v1/uploads", "{\"backend\":\"" + new string('x', 1024 * 1024) + "\"}"), 400, "invalid_request");
        yield return new("create body: text/plain", _ => Post("/v1/uploads", SandboxBody("/workspace/a", "1"), "text/plain"), 400, "invalid_request");
        yield return new("create body: xml", _ => Post("/v1/uploads", "<upload/>", "application/xml"), 400, "invalid_request");
        yield return new("create body: form", _ => Post("/v1/uploads", "backend=sandbox", "application/x-www-form-urlencoded"), 400, "invalid_request");
        yield return new("create body: empty", _ => new HttpRequestMessage(HttpMethod.Post, "/v1/uploads"), 400, "invalid_request");
        yield return new("create body: invalid utf-8", _ => PostBytes("/v1/uploads", [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 400, "invalid_request");

        // --- Parts: numbers ---
        foreach (var n in new[] { "0", "-1", "4", "2147483647", "2147483648", "99999999999999999999", "1.5", "1e3", "+1", "0x1", "one", "%20", "1;2", "１" })
        {
            yield return new($"part number: {n}", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/{n}", 10), 400, "invalid_request");
        }
        yield return new("part number: too long for the last part", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/3", t.PartSize), 400, "part_size_mismatch");
        yield return new("part size: empty body", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/1", 0), 400, "part_size_mismatch");
        yield return new("part size: one byte short", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/1", t.PartSize - 1), 400, "part_size_mismatch");
        yield return new("part size: one byte long", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/1", t.PartSize + 1), 400, "part_size_mismatch");
        yield return new("part size: over max part bytes", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/1", 65 * 1024 * 1024, sendBody: false), 413, "upload_too_large");
        yield return new("part size: box part one byte short", t => Put($"/v1/uploads/{t.BoxUpload}/parts/1", t.PartSize - 1), 400, "part_size_mismatch");

        // --- Parts: Content-Digest ---
        foreach (var (name, digest) in new[]
        {
            ("no colons", "sha-256=AAAA"), ("not base64", "sha-256=:!!!:"), ("short sha-256", "sha-256=:AAAA:"), ("long sha-256", "sha-256=:" + Convert.ToBase64String(new byte[33]) + ":"),
            ("short sha", "sha=:AAAA:"), ("upper key", "SHA-256=:" + Convert.ToBase64String(new byte[32]) + ":"), ("empty", ""), ("only comma", ","),
            ("no value", "sha-256"), ("no key", "=:AAAA:"), ("space in key", "sha 256=:AAAA:"), ("huge", "sha-256=:" + new string('A', 4000) + ":"),
            ("unterminated", "sha-256=:" + Convert.ToBase64String(new byte[32])), ("number key", "1sha=:AAAA:"),
            ("wrong sha-256", "sha-256=:" + Convert.ToBase64String(new byte[32]) + ":"), ("wrong sha", "sha=:" + Convert.ToBase64String(new byte[20]) + ":"),
        })
        {
            var code = name.StartsWith("wrong", StringComparison.Ordinal) ? "checksum_mismatch" : "invalid_request";
            yield return new($"content-digest: {name}", t => Put($"/v1/uploads/{t.SandboxUpload}/parts/1", t.PartSize, digest: digest), 400, code);
        }

        // --- Other tenants, unknown ids ---
        yield return new("other tenant: status", t => new(HttpMethod.Get, $"/v1/uploads/{t.OthersUpload}"), 404, "not_found");
        yield return new("other tenant: parts", t => new(HttpMethod.Get, $"/v1/uploads/{t.OthersUpload}/parts"), 404, "not_found");
        yield return new("other tenant: part", t => Put($"/v1/uploads/{t.OthersUpload}/parts/1", t.PartSize), 404, "not_found");
        yield return new("other tenant: complete", t => Post($"/v1/uploads/{t.OthersUpload}/complete", "{}"), 404, "not_found");
        yield return new("other tenant: abort", t => new(HttpMethod.Delete, $"/v1/uploads/{t.OthersUpload}"), 404, "not_found");
        foreach (var id in new[] { "up_doesnotexist", "up_", "x", "up_" + new string('a', 300), "up_%0A", "up_..%2F..%2Fetc", "up_{x}", "up_*" })
        {
            yield return new($"unknown id: {id[..Math.Min(id.Length, 20)]}", _ => new(HttpMethod.Get, $"/v1/uploads/{id}"), 404, "not_found");
        }

        // --- Complete bodies ---
        yield return new("complete: malformed json", t => Post($"/v1/uploads/{t.SandboxUpload}/complete", "{"), 400, "invalid_request");
        yield return new("complete: unknown field", t => Post($"/v1/uploads/{t.SandboxUpload}/complete", """{"force":true}"""), 400, "invalid_request");
        yield return new("complete: checksum not hex", t => Post($"/v1/uploads/{t.SandboxUpload}/complete", """{"checksum":{"sha256":"zz"}}"""), 400, "invalid_request");
        yield return new("complete: box without sha1", t => Post($"/v1/uploads/{t.BoxUpload}/complete", "{}"), 409, "parts_missing");

        // --- Query strings ---
        foreach (var query in new[] { "limit=0", "limit=-1", "limit=abc", "limit=101", "limit=1e2", "status=<script>", "status=COMPLETED", "cursor=%00", "cursor=" + new string('z', 300), "cursor=bm90OmE" })
        {
            yield return new($"list query: {query[..Math.Min(query.Length, 24)]}", _ => new(HttpMethod.Get, "/v1/uploads?" + query), 400, "invalid_request");
        }
        foreach (var query in new[] { "after=-1", "after=x", "limit=0", "limit=1001", "limit=9999999999" })
        {
            yield return new($"parts query: {query}", t => new(HttpMethod.Get, $"/v1/uploads/{t.SandboxUpload}/parts?{query}"), 400, "invalid_request");
        }

        // --- Wrong methods, unknown routes ---
        foreach (var (method, path) in new[]
        {
            ("PATCH", "/v1/uploads"), ("PUT", "/v1/uploads"), ("DELETE", "/v1/uploads"), ("POST", "/v1/uploads/{id}"), ("PATCH", "/v1/uploads/{id}"),
            ("GET", "/v1/uploads/{id}/complete"), ("PUT", "/v1/uploads/{id}/complete"), ("POST", "/v1/uploads/{id}/parts/1"), ("GET", "/v1/uploads/{id}/parts/1"),
            ("DELETE", "/v1/uploads/{id}/parts/1"), ("POST", "/v1/backends"), ("DELETE", "/v1/backends"), ("POST", "/healthz"),
        })
        {
            yield return new($"method: {method} {path}", t => new(new HttpMethod(method), path.Replace("{id}", t.SandboxUpload, StringComparison.Ordinal)), 405, "method_not_allowed");
        }
        foreach (var path in new[] { "/v2/uploads", "/v1/upload", "/v1/uploads/x/y/z", "/admin", "/.env", "/v1/uploads/{id}/parts/1/extra" })
        {
            yield return new($"route: {path}", t => new(HttpMethod.Get, path.Replace("{id}", t.SandboxUpload, StringComparison.Ordinal)), 404, "not_found");
        }

        // --- Credentials ---
        foreach (var (name, header) in new[]
        {
            ("no scheme", GatewayHarness.AcmeKey), ("basic", "Basic " + Convert.ToBase64String("acme:acme"u8.ToArray())), ("digest", "Digest username=\"acme\""),
            ("bearer alone", "Bearer"), ("bearer spaces", "Bearer    "), ("wrong key", "Bearer not-a-key"), ("key with suffix", "Bearer " + GatewayHarness.AcmeKey + "x"),
            ("key prefix", "Bearer " + GatewayHarness.AcmeKey[..8]), ("other case key", "Bearer " + GatewayHarness.AcmeKey.ToUpperInvariant()),
            ("two tokens", "Bearer a b"), ("huge token", "Bearer " + new string('k', 9000)), ("jwt garbage", "Bearer eyJhbGciOi.eyJzdWIi.c2ln"),
            ("dev key", "Bearer dev-gateway-key"), ("hash instead of key", "Bearer " + Gateway.Auth.TenantDirectory.Hash(GatewayHarness.AcmeKey)),
            ("expired jwt", "Bearer " + Tokens.Create(expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-30))),
            ("alg none jwt", "Bearer " + Tokens.Unsigned()), ("jwt wrong key", "Bearer " + Tokens.Create(key: "a-different-signing-key-that-is-long-enough-1")),
            ("jwt wrong audience", "Bearer " + Tokens.Create(audience: "other")), ("jwt unknown tenant", "Bearer " + Tokens.Create(tenant: "mallory")),
        })
        {
            yield return new($"auth: {name}", _ => WithAuthorization(new(HttpMethod.Get, "/v1/uploads"), header), 401, "unauthorized");
        }
        yield return new("auth: two authorization headers", _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/uploads");
            request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + GatewayHarness.AcmeKey, "Bearer " + GatewayHarness.OtherKey]);
            return request;
        }, 401, "unauthorized");
    }

    private static string SandboxBody(string path, string length, string extra = "") =>
        $$"""{"backend":"sandbox","target":{"sandbox_id":"{{Sb}}","path":"{{path}}"},"content_length":{{length}}{{extra}}}""";

    private static HostileCase Create(string name, string body, int status, string code) => new(name, _ => Post("/v1/uploads", body), status, code);

    private static HttpRequestMessage Post(string path, string body, string contentType = "application/json") =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };

    private static HttpRequestMessage PostBytes(string path, byte[] body) =>
        new(HttpMethod.Post, path) { Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } };

    private static HttpRequestMessage Put(string path, long length, string? digest = null, bool sendBody = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = sendBody ? new ByteArrayContent(new byte[length]) : new DeclaredLengthContent(length),
        };
        // As curl does for large bodies: a part refused from its headers alone is never sent.
        request.Headers.ExpectContinue = true;
        if (digest is not null)
        {
            request.Headers.TryAddWithoutValidation("Content-Digest", digest);
        }
        return request;
    }

    private static HttpRequestMessage WithAuthorization(HttpRequestMessage request, string header)
    {
        request.Headers.TryAddWithoutValidation("Authorization", header);
        return request;
    }

    /// <summary>Declares a length but sends nothing: the gateway must answer from the headers alone.</summary>
    private sealed class DeclaredLengthContent(long length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => Task.Delay(Timeout.Infinite);

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return true;
        }
    }
}
