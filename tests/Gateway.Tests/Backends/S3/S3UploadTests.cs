using System.Net;
using Amazon.S3.Model;
using Gateway.Expiry;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;
using static Gateway.Tests.Backends.S3.S3System;

namespace Gateway.Tests.Backends.S3;

/// <summary>
/// v1 uploads to an S3 backend on a real Ceph RGW through two gateway instances sharing one Redis: every object
/// read back through the AWS SDK, byte for byte, and nothing left behind in the store (ListMultipartUploads, the
/// staging folder).
/// </summary>
public sealed class S3UploadTests(RedisServer redis, CephRgw rgw) : IClassFixture<RedisServer>, IClassFixture<CephRgw>
{
    private const long PartSize = 5 * MiB;

    [RgwFact]
    public async Task Parallel_out_of_order_parts_through_two_instances_land_byte_exact()
    {
        await using var system = await StartAsync(redis, rgw);
        await using var second = await system.StartGatewayAsync();
        using var a = new ContractClient(system.Client());
        using var b = new ContractClient(second.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes((int)(2 * PartSize + 1234), seed: 11);
        var created = await a.CreateOkAsync(Create("parallel/object.bin", file.Length, sha256: TestData.Sha256Hex(file)));
        var id = created.GetProperty("upload_id").GetString()!;
        Assert.Equal(PartSize, created.GetProperty("part_size").GetInt64());
        Assert.Equal(3, created.GetProperty("part_count").GetInt32());

        // Part 3 first, parts 1 and 2 at once on different instances; one with the client's digest (the store checks
        // it), the others without (the gateway hashes them).
        await b.PutPartOkAsync(id, 3, file, PartSize);
        await Task.WhenAll(
            a.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(Slice(file, 1, PartSize))),
            b.PutPartOkAsync(id, 2, file, PartSize));
        var done = await ExpectAsync(await b.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(file, await ReadAsync(rgw, "parallel/object.bin"));
        Assert.Equal(0, await MultipartUploadsAsync(rgw, id));
        Assert.Equal(0, await StagedObjectsAsync(rgw, id));
    }

    [RgwFact]
    public async Task Through_a_gateway_process_on_inline_socket_scheduling_every_store_call_answers_its_success_and_its_refusal()
    {
        // The AWS SDK reads answers synchronously; on a process whose socket events run request code inline
        // (Gateway:Forwarding:InlineScheduling, on by default) an unbuffered answer would wait for the very thread that
        // waits for it. Each S3 call the backend makes, and each refusal it reads, goes through such a process here.
        await using var system = await StartAsync(redis, rgw);
        await using var gateway = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var client = new ContractClient(gateway.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes((int)(PartSize + 4321), seed: 17);
        await PutObjectAsync(rgw, "inline/taken.bin", [1, 2, 3]);

        await ExpectProblemAsync(await client.CreateAsync(Create("inline/taken.bin", file.Length)), 409, "conflict");
        var wrong = (await client.CreateOkAsync(Create("inline/wrong.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await Task.WhenAll(Enumerable.Range(1, 2).Select(n => client.PutPartOkAsync(wrong, n, file, PartSize)));
        await ExpectProblemAsync(await client.CompleteAsync(wrong, new { checksum = new { sha256 = TestData.Sha256Hex(TestData.Bytes(10)) } }), 400, "checksum_mismatch");
        var aborted = (await client.CreateOkAsync(Create("inline/aborted.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(aborted, 1, file, PartSize);
        Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(aborted)).StatusCode);
        var id = (await client.CreateOkAsync(Create("inline/object.bin", file.Length, sha256: TestData.Sha256Hex(file)))).GetProperty("upload_id").GetString()!;
        await Task.WhenAll(Enumerable.Range(1, 2).Select(n => client.PutPartOkAsync(id, n, file, PartSize, TestData.ContentDigest(Slice(file, n, PartSize)))));
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Equal(file, await ReadAsync(rgw, "inline/object.bin"));
        Assert.False(await ExistsAsync(rgw, "inline/wrong.bin"));
        Assert.Equal(0, await MultipartUploadsAsync(rgw, aborted));
        Assert.Equal(0, await StagedObjectsAsync(rgw, aborted));
    }

    [RgwFact]
    public async Task A_retried_part_with_the_same_bytes_is_a_no_op_and_with_other_bytes_a_part_conflict()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes((int)PartSize + 100, seed: 12);
        var id = (await client.CreateOkAsync(Create("retry/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(Slice(file, 1, PartSize)));

        await client.PutPartOkAsync(id, 1, file, PartSize);
        var other = Slice(file, 1, PartSize);
        other[0] ^= 0xFF;
        await ExpectProblemAsync(await client.PutPartAsync(id, 1, other), 409, "part_conflict");

        await client.PutPartOkAsync(id, 2, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await ReadAsync(rgw, "retry/object.bin"));
    }

    [RgwFact]
    public async Task A_part_whose_bytes_differ_from_its_digest_is_refused_by_the_store()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(1000, seed: 13);
        var id = (await client.CreateOkAsync(Create("digest/object.bin", file.Length))).GetProperty("upload_id").GetString()!;

        await ExpectProblemAsync(await client.PutPartAsync(id, 1, file, TestData.ContentDigest(TestData.Bytes(1000, seed: 99))), 400, "checksum_mismatch");

        await client.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(file));
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await ReadAsync(rgw, "digest/object.bin"));
    }

    [RgwFact]
    public async Task A_wrong_whole_object_checksum_is_refused_and_nothing_is_published()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes((int)PartSize + 10, seed: 14);
        var id = (await client.CreateOkAsync(Create("wrong-sum/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        var problem = await ExpectProblemAsync(await client.CompleteAsync(id, new { checksum = new { sha256 = TestData.Sha256Hex(TestData.Bytes(10)) } }), 400, "checksum_mismatch");

        Assert.Contains("nothing was published", problem.GetProperty("detail").GetString());
        Assert.False(await ExistsAsync(rgw, "wrong-sum/object.bin"));
        Assert.Equal("failed", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        Assert.Equal(0, await MultipartUploadsAsync(rgw, id));
        Assert.Equal(0, await StagedObjectsAsync(rgw, id));
    }

    [RgwFact]
    public async Task A_read_back_past_the_wait_answers_202_then_publishes_and_a_wrong_digest_fails_with_its_reason()
    {
        // Any read-back outlasts a millisecond: every complete here goes on in the background.
        await using var system = await StartAsync(redis, rgw, gateway: s => s["Gateway:Completion:AnswerWithin"] = "00:00:00.001");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes((int)(2 * PartSize) + 77, seed: 16);
        var right = (await client.CreateOkAsync(Create("background/right.bin", file.Length))).GetProperty("upload_id").GetString()!;
        var wrong = (await client.CreateOkAsync(Create("background/wrong.bin", file.Length))).GetProperty("upload_id").GetString()!;
        foreach (var id in new[] { right, wrong })
        {
            await Task.WhenAll(Enumerable.Range(1, 3).Select(n => client.PutPartOkAsync(id, n, file, PartSize)));
        }

        using var accepted = await client.CompleteAsync(right, new { checksum = new { sha256 = TestData.Sha256Hex(file) } });
        Assert.Equal("completing", (await ExpectAsync(accepted, HttpStatusCode.Accepted)).GetProperty("status").GetString());
        Assert.NotNull(accepted.Headers.RetryAfter?.Delta);
        await ExpectAsync(await client.CompleteAsync(wrong, new { checksum = new { sha256 = TestData.Sha256Hex(TestData.Bytes(10)) } }), HttpStatusCode.Accepted);

        Assert.Equal("completed", (await client.SettledAsync(right)).GetProperty("status").GetString());
        Assert.Equal(file, await ReadAsync(rgw, "background/right.bin"));
        var failed = await client.SettledAsync(wrong);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("checksum_mismatch", failed.GetProperty("result").GetProperty("error").GetProperty("code").GetString());
        var problem = await ExpectProblemAsync(await client.CompleteAsync(wrong, new { }), 409, "invalid_state");
        Assert.Contains("checksum_mismatch", problem.GetProperty("detail").GetString());
        Assert.False(await ExistsAsync(rgw, "background/wrong.bin"));
        foreach (var id in new[] { right, wrong })
        {
            Assert.Equal(0, await MultipartUploadsAsync(rgw, id));
            Assert.Equal(0, await StagedObjectsAsync(rgw, id));
        }
    }

    [RgwFact]
    public async Task A_part_changed_in_the_store_behind_the_gateway_fails_the_upload_at_complete_and_nothing_is_published()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes((int)PartSize + 10, seed: 15);
        var id = (await client.CreateOkAsync(Create("tampered/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        // Someone holding the store's credentials overwrites part 1 of the session's multipart upload.
        using (var s3 = rgw.Client())
        {
            var upload = Assert.Single((await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = rgw.Bucket,
                Prefix = Prefix + ".upload-gateway/" + id,
            })).MultipartUploads);
            await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = rgw.Bucket,
                Key = upload.Key,
                UploadId = upload.UploadId,
                PartNumber = 1,
                InputStream = new MemoryStream(TestData.Bytes((int)PartSize, seed: 16)),
            });
        }

        var problem = await ExpectProblemAsync(await client.CompleteAsync(id), 502, "backend_error");

        Assert.Contains("part 1 other than the gateway recorded", problem.GetProperty("detail").GetString());
        Assert.Equal("failed", (await client.GetOkAsync(id)).GetProperty("status").GetString());
        Assert.False(await ExistsAsync(rgw, "tampered/object.bin"));
        Assert.Equal(0, await MultipartUploadsAsync(rgw, id));
    }

    [RgwFact]
    public async Task Abort_and_expiry_leave_no_multipart_upload_behind()
    {
        var clock = Clocks.StartingNow();
        await using var system = await StartAsync(redis, rgw, clock, s => s["Gateway:Tenants:acme:Limits:SessionTtl"] = "00:01:00");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes((int)PartSize + 1, seed: 15);
        var aborted = (await client.CreateOkAsync(Create("abort/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
        var expired = (await client.CreateOkAsync(Create("expire/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(aborted, 1, file, PartSize);
        await client.PutPartOkAsync(expired, 1, file, PartSize);
        Assert.Equal(1, await MultipartUploadsAsync(rgw, aborted));
        Assert.Equal(1, await MultipartUploadsAsync(rgw, expired));

        Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(aborted)).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await system.Gateway.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(default));

        Assert.Equal(0, await MultipartUploadsAsync(rgw, aborted));
        Assert.Equal(0, await MultipartUploadsAsync(rgw, expired));
        Assert.Equal("expired", (await client.GetOkAsync(expired)).GetProperty("status").GetString());
        Assert.False(await ExistsAsync(rgw, "abort/object.bin"));
    }

    [RgwFact]
    public async Task An_upload_begun_on_one_instance_is_resumed_and_completed_on_the_other()
    {
        await using var system = await StartAsync(redis, rgw);
        await using var second = await system.StartGatewayAsync();
        using var a = new ContractClient(system.Client());
        using var b = new ContractClient(second.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes((int)(3 * PartSize), seed: 16);
        var id = (await a.CreateOkAsync(Create("resume/object.bin", file.Length, sha256: TestData.Sha256Hex(file)))).GetProperty("upload_id").GetString()!;
        await a.PutPartOkAsync(id, 1, file, PartSize);
        await system.Gateway.DisposeAsync();

        var progress = await b.GetOkAsync(id);
        Assert.Equal("2-3", progress.GetProperty("missing_parts").GetString());
        await b.PutPartOkAsync(id, 3, file, PartSize);
        await b.PutPartOkAsync(id, 2, file, PartSize);
        await ExpectAsync(await b.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Equal(file, await ReadAsync(rgw, "resume/object.bin"));
    }

    [RgwFact]
    public async Task Conflict_error_refuses_an_existing_key_and_replace_overwrites_it()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        await PutObjectAsync(rgw, "conflict/object.bin", [1, 2, 3]);
        var file = TestData.Bytes(2000, seed: 17);

        await ExpectProblemAsync(await client.CreateAsync(Create("conflict/object.bin", file.Length)), 409, "conflict");

        var id = (await client.CreateOkAsync(Create("conflict/object.bin", file.Length, conflict: "replace"))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        Assert.Equal(file, await ReadAsync(rgw, "conflict/object.bin"));
    }

    [RgwFact]
    public async Task A_key_taken_while_the_upload_ran_is_a_conflict_at_complete_and_nothing_is_overwritten()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(3000, seed: 18);
        var id = (await client.CreateOkAsync(Create("race/object.bin", file.Length))).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await PutObjectAsync(rgw, "race/object.bin", [9, 9, 9]);

        await ExpectProblemAsync(await client.CompleteAsync(id), 409, "conflict");

        Assert.Equal([9, 9, 9], await ReadAsync(rgw, "race/object.bin"));
        Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(id)).StatusCode);
        Assert.Equal(0, await StagedObjectsAsync(rgw, id));
    }

    [RgwFact]
    public async Task An_empty_object_is_written_and_its_checksum_checked()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        var id = (await client.CreateOkAsync(Create("empty/object.bin", 0, sha256: TestData.Sha256Hex([])))).GetProperty("upload_id").GetString()!;

        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Empty(await ReadAsync(rgw, "empty/object.bin"));
    }

    [RgwFact]
    public async Task Keys_with_spaces_unicode_and_reserved_characters_land_at_exactly_that_key()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        foreach (var key in new[] { "odd/a b+c%20d?e#f&g=h.bin", "odd/ünï cødé/日本語.txt", "odd/~tilde/(1)!*'.bin" })
        {
            var file = TestData.Bytes(777, seed: key.Length);
            var id = (await client.CreateOkAsync(Create(key, file.Length, conflict: "replace"))).GetProperty("upload_id").GetString()!;
            await client.PutPartOkAsync(id, 1, file, PartSize, TestData.ContentDigest(file));
            await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
            Assert.Equal(file, await ReadAsync(rgw, key));
        }
    }

    [RgwFact]
    public async Task Hostile_keys_are_refused_with_invalid_target()
    {
        await using var system = await StartAsync(redis, rgw);
        using var client = new ContractClient(system.Client());
        foreach (var key in new[] { "", "/abs", "a/../b", "..", "a/./b", "x\u0000y", "line\nbreak", "bidi\u202Etxt", "fullwidth\uFF0E\uFF0E\uFF0Fx",
            ".upload-gateway/up_x", new string('k', 1024 - Prefix.Length + 1) })
        {
            await ExpectProblemAsync(await client.CreateAsync(Create(key, 10)), 422, "invalid_target");
        }
        await ExpectProblemAsync(await client.CreateAsync(new { backend = Backend, target = new { key = "k", path = "/x" }, content_length = 10 }), 422, "invalid_target");
        await ExpectProblemAsync(await client.CreateAsync(new { backend = Backend, target = new { }, content_length = 10 }), 422, "invalid_target");
        await client.CreateOkAsync(Create(new string('k', 1024 - Prefix.Length), 10));
    }
}
