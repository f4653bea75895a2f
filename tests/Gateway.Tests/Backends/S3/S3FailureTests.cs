using System.Net;
using Gateway.Tests.Security;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;
using static Gateway.Tests.Backends.S3.S3System;

namespace Gateway.Tests.Backends.S3;

/// <summary>
/// An S3 store that goes away or refuses the gateway: precise, retryable codes while it is down, the upload resumed
/// once it is back; wrong credentials named by readiness and never leaked. A class of its own: it stops its RGW.
/// </summary>
public sealed class S3FailureTests(RedisServer redis, CephRgw rgw) : IClassFixture<RedisServer>, IClassFixture<CephRgw>
{
    private const long PartSize = 5 * MiB;

    [RgwFact]
    public async Task A_store_stopped_mid_upload_answers_backend_unavailable_and_the_upload_resumes_once_it_is_back()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes((int)(2 * PartSize + 99), seed: 21);
        var id = (await client.CreateOkAsync(Create("outage/object.bin", file.Length, sha256: TestData.Sha256Hex(file)))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);

        // Part 2 is half sent when the store stops.
        var gate = new GatedContent(Slice(file, 2, PartSize), (int)(PartSize / 2));
        var sending = client.Http.PutAsync($"/v1/uploads/{id}/parts/2", gate);
        await gate.HalfSent;
        await rgw.StopGatewayAsync();
        try
        {
            gate.Release();
            var cut = await sending;
            var problem = await ExpectProblemAsync(cut, 503, "backend_unavailable");
            Assert.NotNull(cut.Headers.RetryAfter);
            Assert.DoesNotContain("127.0.0.1", problem.GetProperty("detail").GetString()!);
            await ExpectProblemAsync(await client.PutPartAsync(id, 3, Slice(file, 3, PartSize)), 503, "backend_unavailable");
            await ExpectProblemAsync(await client.CompleteAsync(id), 409, "parts_missing");
            using var ready = await client.Http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains($"\"backend:{Backend}\":\"unreachable\"", await ready.Content.ReadAsStringAsync());
        }
        finally
        {
            await rgw.StartGatewayAsync();
        }

        Assert.Equal("1", (await client.GetOkAsync(id)).GetProperty("parts_received").GetRawText());
        await client.PutPartOkAsync(id, 2, file, PartSize);
        await client.PutPartOkAsync(id, 3, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await ReadAsync(rgw, "outage/object.bin"));
        Assert.Equal(0, await MultipartUploadsAsync(rgw, id));
    }

    [RgwFact]
    public async Task Wrong_credentials_are_a_backend_error_that_names_no_secret_and_make_the_backend_not_ready()
    {
        const string WrongSecret = "definitely-not-the-secret-0123456789";
        await using var system = await StartAsync(redis, rgw, gateway: s => s[$"Gateway:Backends:{Backend}:SecretAccessKey"] = WrongSecret);
        using var client = new ContractClient(system.Client());

        using var created = await client.CreateAsync(Create("creds/object.bin", 10));

        var problem = await ExpectProblemAsync(created, 502, "backend_error");
        Assert.Contains("refused the gateway's credentials", problem.GetProperty("detail").GetString());
        using var ready = await client.Http.GetAsync("/readyz");
        var readiness = await ready.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains($"\"backend:{Backend}\":\"unreachable\"", readiness);
        Assert.DoesNotContain(WrongSecret, problem.GetRawText() + readiness);
        Assert.DoesNotContain(CephRgw.AccessKey, problem.GetRawText() + readiness);
    }

    [RgwFact]
    public async Task A_secret_from_a_mounted_file_is_used()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, CephRgw.SecretKey + "\n");
            await using var system = await StartAsync(redis, rgw, gateway: s =>
            {
                s[$"Gateway:Backends:{Backend}:SecretAccessKey"] = null;
                s[$"Gateway:Backends:{Backend}:SecretAccessKeyFile"] = file;
            });
            using var client = new ContractClient(system.Client());
            var bytes = TestData.Bytes(4321, seed: 22);
            var id = (await client.CreateOkAsync(Create("mounted/object.bin", bytes.Length))).GetProperty("upload_id").GetString()!;
            await client.PutPartOkAsync(id, 1, bytes, PartSize);
            await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
            Assert.Equal(bytes, await ReadAsync(rgw, "mounted/object.bin"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [RgwFact]
    public async Task The_stores_credentials_and_signatures_appear_in_no_response_log_or_span()
    {
        var logs = new FakeLogCollector();
        using var spans = new CapturingActivityListener();
        var responses = new List<string>();
        await using (var system = await StartAsync(redis, rgw, everyApp: builder =>
        {
            builder.Logging.AddProvider(new FakeLoggerProvider(logs));
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }))
        {
            using var client = new ContractClient(system.Client());
            var file = TestData.Bytes((int)PartSize + 3, seed: 23);
            var id = (await client.CreateOkAsync(Create("secrets/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
            responses.Add((await client.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(Slice(file, 1, PartSize)))).ToString());
            responses.Add((await client.PutPartOkAsync(id, 2, file, PartSize)).ToString());
            responses.Add((await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha256 = TestData.Sha256Hex(file) } }), HttpStatusCode.OK)).ToString());
            responses.Add((await client.GetOkAsync(id)).ToString());
            using var backends = await client.Http.GetAsync("/v1/backends");
            responses.Add(await backends.Content.ReadAsStringAsync());
        }

        var texts = responses.Concat(logs.GetSnapshot().Select(r => $"{r.Message} {r.Exception} " + string.Join(' ', (r.StructuredState ?? []).Select(v => $"{v.Key}={v.Value}"))))
            .Concat(spans.Spans).ToList();
        Assert.NotEmpty(spans.Spans);
        foreach (var secret in new[] { CephRgw.SecretKey, CephRgw.AccessKey, "AWS4-HMAC-SHA256", "X-Amz-Signature" })
        {
            var leak = texts.FirstOrDefault(t => t.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"'{secret}' appears in: {leak}");
        }
    }

    /// <summary>A body that sends its first bytes, then waits to be released before the rest.</summary>
    private sealed class GatedContent(byte[] bytes, int first) : HttpContent
    {
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HalfSent => _halfSent.Task;

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, first));
            await stream.FlushAsync();
            _halfSent.TrySetResult();
            await _release.Task;
            await stream.WriteAsync(bytes.AsMemory(first));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
