using Amazon.S3;
using Amazon.S3.Model;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Gateway.Tests.Backends.S3;

/// <summary>
/// The gateway with an S3 backend named <see cref="Backend"/> on a class's Ceph RGW (beside the mocks'
/// backends), and the store seen directly through the AWS SDK: what landed, what is left behind.
/// </summary>
internal static class S3System
{
    public const string Backend = "s3";
    public const string Prefix = "tenant-a/";
    public const int MiB = 1024 * 1024;

    public static Task<GatewayHarness> StartAsync(RedisServer redis, CephRgw rgw, FakeTimeProvider? clock = null,
        Action<Dictionary<string, string?>>? gateway = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? everyApp = null) =>
        GatewayHarness.StartAsync(redis, clock, everyApp: everyApp, gateway: s =>
        {
            s[$"Gateway:Backends:{Backend}:Type"] = "s3";
            s[$"Gateway:Backends:{Backend}:ServiceUrl"] = rgw.Endpoint.ToString();
            s[$"Gateway:Backends:{Backend}:Region"] = CephRgw.Region;
            s[$"Gateway:Backends:{Backend}:Bucket"] = rgw.Bucket;
            s[$"Gateway:Backends:{Backend}:AccessKeyId"] = CephRgw.AccessKey;
            s[$"Gateway:Backends:{Backend}:SecretAccessKey"] = CephRgw.SecretKey;
            s[$"Gateway:Backends:{Backend}:KeyPrefix"] = Prefix;
            s[$"Gateway:Backends:{Backend}:PartSize"] = (5 * MiB).ToString();
            s[$"Gateway:Backends:{Backend}:RequestTimeout"] = "00:00:10";
            foreach (var tenant in new[] { "acme", "other" })
            {
                s[$"Gateway:Tenants:{tenant}:Backends:2"] = Backend;
            }
            gateway?.Invoke(s);
        });

    public static object Create(string key, long length, string conflict = "error", string? sha256 = null) => sha256 is null
        ? new { backend = Backend, target = new { key }, content_length = length, conflict }
        : new { backend = Backend, target = new { key }, content_length = length, conflict, checksum = new { sha256 } };

    /// <summary>The object under the backend's prefix, read back whole through the SDK.</summary>
    public static async Task<byte[]> ReadAsync(CephRgw rgw, string key)
    {
        using var s3 = rgw.Client();
        using var response = await s3.GetObjectAsync(rgw.Bucket, Prefix + key);
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    public static async Task<string> ETagAsync(CephRgw rgw, string key)
    {
        using var s3 = rgw.Client();
        return (await s3.GetObjectMetadataAsync(rgw.Bucket, Prefix + key)).ETag;
    }

    public static async Task<bool> ExistsAsync(CephRgw rgw, string key)
    {
        using var s3 = rgw.Client();
        try
        {
            await s3.GetObjectMetadataAsync(rgw.Bucket, Prefix + key);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Multipart uploads the store still holds for a session (ListMultipartUploads under the staging key).</summary>
    public static async Task<int> MultipartUploadsAsync(CephRgw rgw, string uploadId)
    {
        using var s3 = rgw.Client();
        var answer = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = rgw.Bucket, Prefix = Prefix + ".upload-gateway/" + uploadId });
        return answer.MultipartUploads?.Count ?? 0;
    }

    /// <summary>Objects the session left in the staging folder.</summary>
    public static async Task<int> StagedObjectsAsync(CephRgw rgw, string uploadId)
    {
        using var s3 = rgw.Client();
        var answer = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = rgw.Bucket, Prefix = Prefix + ".upload-gateway/" + uploadId });
        return answer.S3Objects?.Count ?? 0;
    }

    public static async Task PutObjectAsync(CephRgw rgw, string key, byte[] bytes)
    {
        using var s3 = rgw.Client();
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = rgw.Bucket, Key = Prefix + key, InputStream = new MemoryStream(bytes) });
    }
}
