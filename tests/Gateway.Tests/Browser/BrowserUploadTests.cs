using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Support;

namespace Gateway.Tests.Browser;

/// <summary>
/// Issue 25 in a real browser: a page on <c>http://localhost:P</c> (Chromium, puppeteer-core) uploading to two
/// gateway instances on <c>http://127.0.0.1:Q</c> and <c>:R</c> with upload tokens minted by tenant acme's key:
/// tus-js-client's browser bundle and the Uppy demo through tus, fetch through v1 and the Box front, every
/// refusal readable by the page, a foreign origin blocked, the token's limits held across instances, and hostile
/// tokens refused with 401/403/404.
/// </summary>
public sealed class BrowserUploadTests(BrowserSystem fixture) : IClassFixture<BrowserSystem>
{
    private BrowserBridge Browser => fixture.Browser;

    private string GatewayA => fixture.System.Gateway.BaseAddress.ToString();

    private string GatewayB => fixture.Second.BaseAddress.ToString();

    [BrowserFact]
    public async Task Tus_js_client_in_a_page_of_another_origin_uploads_with_a_token_and_resumes_after_a_reload()
    {
        var token = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/browser" }, max_bytes = 4 << 20 });
        await Browser.NewPageAsync();
        await Browser.GotoAsync("/");
        var args = new { endpoint = GatewayA + "tus/", token, sandbox = GatewayHarness.SandboxId, path = "/workspace/browser/resume.bin", size = 3 << 20, chunk = 1 << 20, stopAfter = 1 << 20 };
        var first = await Browser.EvalAsync(TusUpload, args);
        Assert.Equal(1 << 20, first.GetProperty("stopped").GetInt32());

        // A reload loses everything but localStorage: tus-js-client finds the upload by the file's fingerprint,
        // asks the gateway for its offset (HEAD, with the same token) and sends only the rest.
        await Browser.ReloadAsync();
        var second = await Browser.EvalAsync(TusUpload, args with { stopAfter = 0 });
        Assert.Equal(first.GetProperty("url").GetString(), second.GetProperty("url").GetString());
        Assert.True(second.GetProperty("resumedFrom").GetInt64() >= 1 << 20, second.ToString());
        await AssertLandedAsync("/workspace/browser/resume.bin", Pattern(3 << 20));
    }

    [BrowserFact]
    public async Task The_uppy_demo_uploads_a_dropped_file_and_shows_where_it_landed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, Pattern(1_500_000));
        try
        {
            await Browser.NewPageAsync();
            await Browser.GotoAsync(fixture.DemoUrl);
            await Browser.WaitForAsync("window.demo && window.demo.uppy");
            await Browser.UploadFileAsync(".uppy-Dashboard-input", file);
            await Browser.ClickAsync(".uppy-StatusBar-actionBtn--upload");
            await Browser.WaitForAsync("document.querySelectorAll('#landed li').length > 0");
            var landed = (await Browser.EvalAsync("return document.querySelector('#landed li').textContent")).GetString()!;
            var path = "/workspace/demo/" + Path.GetFileName(file);
            Assert.Contains($"completed, 1500000 bytes → {GatewayHarness.SandboxId}:{path}", landed);
            await Browser.ScreenshotAsync(Environment.GetEnvironmentVariable("DEMO_SCREENSHOT") ?? Path.ChangeExtension(file, ".png"));
            await AssertLandedAsync(path, Pattern(1_500_000));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [BrowserFact]
    public async Task The_uppy_demo_pauses_and_resumes_an_upload_across_a_page_reload()
    {
        var file = Path.Combine(Path.GetTempPath(), $"resume-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, Pattern(12 << 20));
        try
        {
            await Browser.NewPageAsync();
            await Browser.GotoAsync(fixture.DemoUrl);
            await Browser.WaitForAsync("window.demo && window.demo.uppy");
            // Pause as soon as the first 4 MiB chunk is in, with Uppy's own pause.
            await Browser.EvalAsync("""
                window.paused = null
                demo.uppy.on('upload-progress', (file, progress) => {
                  if (window.paused === null && progress.bytesUploaded >= 4 * 1024 * 1024) {
                    window.paused = progress.bytesUploaded
                    demo.uppy.pauseResume(file.id)
                  }
                })
                return true
                """);
            await Browser.UploadFileAsync(".uppy-Dashboard-input", file);
            await Browser.ClickAsync(".uppy-StatusBar-actionBtn--upload");
            await Browser.WaitForAsync("window.paused !== null && demo.uppy.getFiles()[0].isPaused");
            var before = (await Browser.EvalAsync("return demo.uppy.getFiles()[0].tus.uploadUrl")).GetString();
            Assert.NotNull(before);

            // The reload loses the page; the same file added again resumes the same upload (tus fingerprint, kept token).
            await Browser.ReloadAsync();
            await Browser.WaitForAsync("window.demo && window.demo.uppy");
            await Browser.UploadFileAsync(".uppy-Dashboard-input", file);
            await Browser.ClickAsync(".uppy-StatusBar-actionBtn--upload");
            await Browser.WaitForAsync("document.querySelectorAll('#landed li').length > 0");
            var after = await Browser.EvalAsync("return { url: demo.uppy.getFiles()[0].response.uploadURL, landed: document.querySelector('#landed li').textContent }");
            Assert.Equal(before, after.GetProperty("url").GetString());
            Assert.Contains("completed, 12582912 bytes", after.GetProperty("landed").GetString());
            await AssertLandedAsync("/workspace/demo/" + Path.GetFileName(file), Pattern(12 << 20));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [BrowserFact]
    public async Task Fetch_uploads_through_v1_and_the_box_front_and_reads_their_headers()
    {
        var v1Token = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/browser/fetch.txt" }, max_bytes = 100 });
        var boxToken = await MintAsync(new { backend = "box", target = new { folder_id = "0" }, max_bytes = 10_000, max_uploads = 1 });
        await Browser.NewPageAsync();
        await Browser.GotoAsync("/");

        var v1 = await Browser.EvalAsync("""
            const auth = { Authorization: 'Bearer ' + args.token }
            const bytes = new TextEncoder().encode('hello from a page')
            let r = await fetch(args.gw + 'v1/uploads', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
              body: JSON.stringify({ backend: 'sandbox', target: { sandbox_id: args.sandbox, path: '/workspace/browser/fetch.txt' }, content_length: bytes.length, conflict: 'error' }) })
            const created = await r.json()
            const location = r.headers.get('Location')
            const digest = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))))
            r = await fetch(args.gw + 'v1/uploads/' + created.upload_id + '/parts/1', { method: 'PUT', headers: { ...auth, 'Content-Digest': 'sha-256=:' + digest + ':' }, body: bytes })
            const part = r.status
            r = await fetch(args.gw + 'v1/uploads/' + created.upload_id + '/complete', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' })
            return { location, id: created.upload_id, part, complete: r.status, status: (await r.json()).status }
            """, new { gw = GatewayB, token = v1Token, sandbox = GatewayHarness.SandboxId });
        Assert.Equal("/v1/uploads/" + v1.GetProperty("id").GetString(), v1.GetProperty("location").GetString());
        Assert.Equal(200, v1.GetProperty("part").GetInt32());
        Assert.Equal("completed", v1.GetProperty("status").GetString());
        await AssertLandedAsync("/workspace/browser/fetch.txt", "hello from a page"u8.ToArray());

        var box = await Browser.EvalAsync("""
            const auth = { Authorization: 'Bearer ' + args.token }
            const bytes = new TextEncoder().encode('a part through the Box front')
            const sha1 = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-1', bytes))))
            const base = args.gw + 'box/api/2.0/files/upload_sessions'
            let r = await fetch(base, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ folder_id: '0', file_name: 'box-page.txt', file_size: bytes.length }) })
            const session = await r.json()
            r = await fetch(base + '/' + session.id, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes 0-${bytes.length - 1}/${bytes.length}`, Digest: 'sha=' + sha1 }, body: bytes })
            const part = await r.json()
            for (;;) {
              r = await fetch(base + '/' + session.id + '/commit', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json', Digest: 'sha=' + sha1 }, body: JSON.stringify({ parts: [part.part] }) })
              if (r.status !== 202) break
              await new Promise(resolve => setTimeout(resolve, 1000 * Number(r.headers.get('Retry-After') || 1)))
            }
            return { created: session.id, commit: r.status, file: (await r.json()).entries[0] }
            """, new { gw = GatewayA, token = boxToken });
        Assert.Equal(201, box.GetProperty("commit").GetInt32());
        Assert.Equal("box-page.txt", box.GetProperty("file").GetProperty("name").GetString());
    }

    [BrowserFact]
    public async Task Every_refusal_is_readable_by_the_page_and_a_foreign_origin_is_blocked()
    {
        var token = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/refusals" }, max_bytes = 100 });
        await Browser.NewPageAsync();
        await Browser.GotoAsync("/");
        var seen = await Browser.EvalAsync("""
            const auth = { Authorization: 'Bearer ' + args.token }
            const json = { ...auth, 'Content-Type': 'application/json' }
            const read = async (r) => ({ status: r.status, code: (await r.json().catch(() => ({}))).code ?? null,
              wwwAuthenticate: r.headers.get('WWW-Authenticate'), retryAfter: r.headers.get('Retry-After') })
            const create = (path, length) => fetch(args.gw + 'v1/uploads', { method: 'POST', headers: json,
              body: JSON.stringify({ backend: 'sandbox', target: { sandbox_id: args.sandbox, path }, content_length: length, conflict: 'error' }) })
            const out = {}
            out.unauthorized = await read(await fetch(args.gw + 'v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'))
            out.notFound = await read(await fetch(args.gw + 'v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', { headers: auth }))
            out.tooLarge = await read(await create('/workspace/refusals/big.bin', 101))
            out.outOfScope = await read(await create('/workspace/elsewhere.bin', 1))
            const session = await (await create('/workspace/refusals/conflict.bin', 4)).json()
            const put = (text) => fetch(args.gw + 'v1/uploads/' + session.upload_id + '/parts/1', { method: 'PUT', headers: auth, body: text })
            await put('abcd')
            out.conflict = await read(await put('wxyz'))
            const tus = { ...auth, 'Tus-Resumable': '1.0.0' }
            let r = await fetch(args.gw + 'tus/', { method: 'POST', headers: { ...tus, 'Upload-Length': '4',
              'Upload-Metadata': 'backend ' + btoa('sandbox') + ',sandbox_id ' + btoa(args.sandbox) + ',path ' + btoa('/workspace/refusals/sum.bin') + ',conflict ' + btoa('error') } })
            out.tusCreated = r.status
            r = await fetch(args.gw.replace(/\/$/, '') + r.headers.get('Location'), { method: 'PATCH', headers: { ...tus, 'Upload-Offset': '0',
              'Content-Type': 'application/offset+octet-stream', 'Upload-Checksum': 'sha1 ' + btoa('not the digest of it') }, body: 'abcd' })
            out.checksum = await read(r)
            out.box = await read(await fetch(args.gw + 'box/api/2.0/files/upload_sessions/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', { headers: auth }))
            const other = { Authorization: 'Bearer ' + args.otherKey }
            const statuses = []
            for (let i = 0; i < 6; i++) {
              r = await fetch(args.gw + 'v1/backends', { headers: other })
              statuses.push(r.status)
              if (r.status === 429) { out.rateLimited = await read(r); break }
            }
            return out
            """, new { gw = GatewayA, token, sandbox = GatewayHarness.SandboxId, otherKey = BrowserSystem.SlowKey });
        Expect(seen, "unauthorized", 401, "unauthorized");
        Assert.StartsWith("Bearer", seen.GetProperty("unauthorized").GetProperty("wwwAuthenticate").GetString());
        Expect(seen, "notFound", 404, "not_found");
        Expect(seen, "tooLarge", 413, "upload_too_large");
        Expect(seen, "outOfScope", 403, "forbidden");
        Expect(seen, "conflict", 409, "part_conflict");
        Assert.Equal(201, seen.GetProperty("tusCreated").GetInt32());
        Expect(seen, "checksum", 460, "checksum_mismatch");
        Expect(seen, "box", 404, "not_found");
        Expect(seen, "rateLimited", 429, "rate_limited");
        Assert.NotNull(seen.GetProperty("rateLimited").GetProperty("retryAfter").GetString());

        // The same page's code on an origin no tenant allows: the browser blocks even the answer's status.
        await Browser.GotoAsync(Browser.Origin.Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/");
        var foreign = await Browser.EvalAsync("""
            try { await fetch(args.gw + 'v1/backends', { headers: { Authorization: 'Bearer ' + args.key } }); return 'readable' }
            catch (e) { return 'blocked: ' + e.name }
            """, new { gw = GatewayA, key = GatewayHarness.AcmeKey });
        Assert.Equal("blocked: TypeError", foreign.GetString());
    }

    [BrowserFact]
    public async Task A_token_holds_its_scope_max_uploads_revocation_and_expiry_across_two_instances()
    {
        var minted = await MintFullAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/two" }, max_bytes = 50, max_uploads = 2 });
        var token = minted.GetProperty("token").GetString()!;
        await Browser.NewPageAsync();
        await Browser.GotoAsync("/");
        var seen = await Browser.EvalAsync("""
            const auth = { Authorization: 'Bearer ' + args.token, 'Content-Type': 'application/json' }
            const create = (gw, name) => fetch(gw + 'v1/uploads', { method: 'POST', headers: auth,
              body: JSON.stringify({ backend: 'sandbox', target: { sandbox_id: args.sandbox, path: '/workspace/two/' + name }, content_length: 5, conflict: 'error' }) })
            const one = await create(args.a, '1.bin')
            const id = (await one.json()).upload_id
            const two = await create(args.b, '2.bin')
            const three = await create(args.a, '3.bin')
            const viaB = await fetch(args.b + 'v1/uploads/' + id, { headers: auth })
            return { one: one.status, two: two.status, three: three.status, threeCode: (await three.json()).code, seenOnB: viaB.status, id }
            """, new { a = GatewayA, b = GatewayB, token, sandbox = GatewayHarness.SandboxId });
        Assert.Equal(201, seen.GetProperty("one").GetInt32());
        Assert.Equal(201, seen.GetProperty("two").GetInt32());
        Assert.Equal(403, seen.GetProperty("three").GetInt32());
        Assert.Equal(200, seen.GetProperty("seenOnB").GetInt32());

        using (var acme = fixture.System.Client())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await acme.DeleteAsync("/v1/upload-tokens/" + minted.GetProperty("token_id").GetString())).StatusCode);
        }
        const string Read = """
            const r = await fetch(args.gw + 'v1/uploads/' + args.id, { headers: { Authorization: 'Bearer ' + args.token } })
            return { status: r.status, wwwAuthenticate: r.headers.get('WWW-Authenticate'), code: (await r.json()).code }
            """;
        var revoked = await Browser.EvalAsync(Read, new { gw = GatewayB, token, id = seen.GetProperty("id").GetString() });
        Assert.Equal(401, revoked.GetProperty("status").GetInt32());
        Assert.Equal("Bearer error=\"invalid_token\"", revoked.GetProperty("wwwAuthenticate").GetString());

        // Expiry by the gateway's clock: the token works, then (polled, not timed) it does not.
        var shortLived = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/two" }, max_bytes = 50, expires_in = 3 });
        var expiry = await Browser.EvalAsync("""
            const get = async (gw) => (await fetch(gw + 'v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', { headers: { Authorization: 'Bearer ' + args.token } }))
            const before = (await get(args.a)).status
            for (let i = 0; i < 200; i++) {
              const r = await get(args.b)
              if (r.status === 401) return { before, after: 401, wwwAuthenticate: r.headers.get('WWW-Authenticate') }
              await new Promise(resolve => setTimeout(resolve, 100))
            }
            return { before, after: 'never' }
            """, new { a = GatewayA, b = GatewayB, token = shortLived });
        Assert.Equal(404, expiry.GetProperty("before").GetInt32());
        Assert.Equal(401, expiry.GetProperty("after").GetInt32());
        Assert.Equal("Bearer error=\"invalid_token\"", expiry.GetProperty("wwwAuthenticate").GetString());
    }

    [BrowserFact]
    public async Task Hostile_tokens_are_refused_with_401_403_or_404_and_never_500()
    {
        var owner = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/hostile" }, max_bytes = 50 });
        var sibling = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/hostile" }, max_bytes = 50 });
        var otherTenant = await MintAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path_prefix = "/workspace/hostile" }, max_bytes = 50 }, GatewayHarness.OtherKey);
        await Browser.NewPageAsync();
        await Browser.GotoAsync("/");
        var seen = await Browser.EvalAsync("""
            const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
            const create = await fetch(args.gw + 'v1/uploads', { method: 'POST', headers: { Authorization: 'Bearer ' + args.owner, 'Content-Type': 'application/json' },
              body: JSON.stringify({ backend: 'sandbox', target: { sandbox_id: args.sandbox, path: '/workspace/hostile/x.bin' }, content_length: 5, conflict: 'error' }) })
            const id = (await create.json()).upload_id
            const flip = (t) => t.slice(0, -1) + (t.endsWith('a') ? 'b' : 'a')
            const payload = b64({ tenant: 'acme', sub: 'x', exp: 4102444800, aud: 'gateway', iss: 'gateway' })
            const hostile = {
              tampered: flip(args.owner),
              algNone: b64({ alg: 'none', typ: 'JWT' }) + '.' + payload + '.',
              unknownKid: b64({ alg: 'HS256', typ: 'JWT', kid: 'nope' }) + '.' + payload + '.' + b64({ s: 'not a signature' }),
              idOnly: args.owner.split('_').slice(0, 2).join('_'),
              otherTenant: args.otherTenant,
              sibling: args.sibling,
            }
            const out = { created: create.status }
            for (const [name, token] of Object.entries(hostile)) {
              const auth = { Authorization: 'Bearer ' + token }
              out[name] = [
                (await fetch(args.gw + 'v1/uploads/' + id, { headers: auth })).status,
                (await fetch(args.gw + 'tus/' + id, { method: 'HEAD', headers: { ...auth, 'Tus-Resumable': '1.0.0' } })).status,
                (await fetch(args.gw + 'box/api/2.0/files/upload_sessions/' + id, { headers: auth })).status,
                (await fetch(args.gw + 'v1/uploads/' + id, { method: 'DELETE', headers: auth })).status,
              ]
            }
            out.ownerStill = (await fetch(args.gw + 'v1/uploads/' + id, { headers: { Authorization: 'Bearer ' + args.owner } })).status
            return out
            """, new { gw = GatewayA, owner, sibling, otherTenant, sandbox = GatewayHarness.SandboxId });
        Assert.Equal(201, seen.GetProperty("created").GetInt32());
        foreach (var (name, expected) in new[] { ("tampered", 401), ("algNone", 401), ("unknownKid", 401), ("idOnly", 401), ("otherTenant", 404), ("sibling", 404) })
        {
            Assert.All(seen.GetProperty(name).EnumerateArray(), status => Assert.True(status.GetInt32() == expected, $"{name}: {seen.GetProperty(name)}"));
        }
        Assert.Equal(200, seen.GetProperty("ownerStill").GetInt32());
    }

    /// <summary>tus-js-client's browser bundle, unmodified: resumes a previous upload of the same file when it finds one.</summary>
    private const string TusUpload = """
        const bytes = new Uint8Array(args.size)
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255
        const file = new File([bytes], 'resume.bin', { type: 'application/octet-stream', lastModified: 1700000000000 })
        return await new Promise((resolve, reject) => {
          let resumedFrom = null
          const upload = new tus.Upload(file, {
            endpoint: args.endpoint,
            headers: { Authorization: 'Bearer ' + args.token },
            metadata: { backend: 'sandbox', sandbox_id: args.sandbox, path: args.path, conflict: 'error' },
            chunkSize: args.chunk,
            retryDelays: null,
            onProgress: (sent) => { if (resumedFrom === null) resumedFrom = sent },
            onChunkComplete: (chunk, sent) => {
              if (args.stopAfter && sent >= args.stopAfter) upload.abort(false).then(() => resolve({ stopped: sent, url: upload.url }))
            },
            onError: (error) => reject(new Error(String(error))),
            onSuccess: () => resolve({ url: upload.url, resumedFrom }),
          })
          upload.findPreviousUploads().then((previous) => {
            if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0])
            upload.start()
          })
        })
        """;

    private static void Expect(JsonElement seen, string name, int status, string code)
    {
        var entry = seen.GetProperty(name);
        Assert.True(entry.GetProperty("status").GetInt32() == status && entry.GetProperty("code").GetString() == code, $"{name}: {entry}");
    }

    private async Task<string> MintAsync(object body, string key = GatewayHarness.AcmeKey) =>
        (await MintFullAsync(body, key)).GetProperty("token").GetString()!;

    private async Task<JsonElement> MintFullAsync(object body, string key = GatewayHarness.AcmeKey)
    {
        using var http = fixture.System.Client(key);
        using var response = await http.PostAsJsonAsync("/v1/upload-tokens", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task AssertLandedAsync(string path, byte[] expected)
    {
        using var sandbox = fixture.System.SandboxClient();
        Assert.Equal(expected, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path={path}"));
    }

    private static byte[] Pattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 31 + 7) & 255);
        }
        return bytes;
    }
}
