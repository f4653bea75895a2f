using System.ComponentModel.DataAnnotations;

namespace Gateway.Backends.S3;

/// <summary>
/// <c>Gateway:Backends:&lt;name&gt;</c> of a backend whose <c>Type</c> is <c>s3</c>: a bucket of any S3-compatible store
/// (AWS S3, Ceph RGW, MinIO, R2…), bound by the backend's name. The shared settings (<c>MaxConcurrency</c>,
/// <c>RequestTimeout</c>, …) stay in <see cref="BackendOptions"/>.
/// </summary>
/// <remarks>A setting given as null (an environment variable set empty) reads as empty.</remarks>
internal sealed class S3Options
{
    public const long MiB = 1024 * 1024;

    /// <summary>S3's own limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).</summary>
    public const int MaxParts = 10_000;

    public const long MaxPartBytes = 5L << 30;
    public const long MaxObjectBytes = 5L << 40;

    /// <summary>The store's endpoint (<c>http://127.0.0.1:7480</c>); empty: AWS S3 in <see cref="Region"/>.</summary>
    public string ServiceUrl { get; set => field = value ?? ""; } = "";

    public string Region { get; set => field = value ?? ""; } = "us-east-1";

    public string Bucket { get; set => field = value ?? ""; } = "";

    public string AccessKeyId { get; set => field = value ?? ""; } = "";

    /// <summary>The secret key itself, or leave it empty and name a mounted file in <see cref="SecretAccessKeyFile"/>. Never logged or returned.</summary>
    public string SecretAccessKey { get; set => field = value ?? ""; } = "";

    public string SecretAccessKeyFile { get; set => field = value ?? ""; } = "";

    /// <summary><c>https://host/bucket/key</c> rather than <c>https://bucket.host/key</c>; default: true when <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Every key of this backend lives under it (<c>uploads/</c>); the client's key is relative to it.</summary>
    public string KeyPrefix { get; set => field = value ?? ""; } = "";

    /// <summary>The part size; larger when an object would otherwise need more than 10,000 parts.</summary>
    [Range(1, MaxPartBytes)]
    public long PartSize { get; set; } = 8 * MiB;

    /// <summary>
    /// The store's smallest part but the last (S3: 5 MiB). Only for a store configured otherwise (Ceph's
    /// <c>rgw_multipart_min_part_size</c>); a smaller value than the store's makes completes fail.
    /// </summary>
    [Range(1, MaxPartBytes)]
    public long MinPartSize { get; set; } = 5 * MiB;

    /// <summary>
    /// The largest object published by one CopyObject (S3: 5 GiB); a larger one is copied in parts of this size
    /// (UploadPartCopy), so it must be at least <see cref="MinPartSize"/>.
    /// </summary>
    [Range(1, MaxPartBytes)]
    public long MaxCopyBytes { get; set; } = MaxPartBytes;

    public bool PathStyle => ForcePathStyle ?? !string.IsNullOrEmpty(ServiceUrl);

    public static S3Options Of(IConfigurationSection section) => section.Get<S3Options>() ?? new S3Options();

    /// <summary>The secret, from configuration or from its file (read at start-up).</summary>
    public string ResolveSecret() =>
        !string.IsNullOrEmpty(SecretAccessKey) ? SecretAccessKey
        : !string.IsNullOrEmpty(SecretAccessKeyFile) ? File.ReadAllText(SecretAccessKeyFile).Trim()
        : "";
}
