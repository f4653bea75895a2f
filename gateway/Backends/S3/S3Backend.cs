using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Gateway.Domain;
using Gateway.Sessions;
using UploadGateway.Contract;

namespace Gateway.Backends.S3;

/// <summary>
/// Any S3-compatible object store. A session is a multipart upload: create is CreateMultipartUpload, each part an
/// UploadPart streamed through the forwarder and signed with SigV4 (<see cref="S3PartTransformer"/>), its ETag the
/// part's id; complete assembles, checks and publishes (<see cref="S3Completion"/>); abort and expiry are
/// AbortMultipartUpload. The control plane goes through the AWS SDK's S3 client.
/// </summary>
/// <remarks>
/// A session assembles under a staging key (<see cref="S3Keys.Staging"/>) and is published under its key only once
/// whatever whole-object digest the client gave has been checked, so a wrong one publishes nothing and a replaced
/// object is never half-replaced.
/// </remarks>
internal sealed class S3Backend : IUploadBackend, IDisposable
{
    public const string TypeName = "s3";

    private readonly S3Options _options;
    private readonly S3Endpoint _endpoint;
    private readonly S3Completion _completion;

    public S3Backend(BackendContext context, S3Options options)
    {
        var (name, backend) = (context.Name, context.Options);
        Name = name;
        // The cluster S3Registration made from ServiceUrl (the backend's Cluster setting names it).
        Cluster = context.Http.Cluster;
        _options = options;
        var credentials = new BasicAWSCredentials(options.AccessKeyId, options.ResolveSecret());
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.PathStyle,
            // RGW 16 takes no aws-chunked trailers (ENVIRONMENT.md, gotcha 6): checksums only where S3 requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = backend.RequestTimeout,
            MaxErrorRetry = 2,
            HttpClientFactory = new S3HttpClients(),
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        Client = new AmazonS3Client(credentials, config);
        _endpoint = new S3Endpoint(options, credentials);
        _completion = new S3Completion(name, options, Client);
        Rules = new BackendRules(
            context.Type,
            Kinds: [ContractValues.Kinds.File],
            Conflicts: [ContractValues.Conflicts.Error, ContractValues.Conflicts.Replace],
            TargetFields: S3Targets.Instance.Fields,
            Checksums: new ChecksumsRequired(Part: [ContractValues.Algorithms.Sha256], Complete: []),
            MinUploadBytes: backend.MinUploadBytes ?? 0,
            MaxConcurrency: backend.MaxConcurrency,
            NeedsPartSha1BeforeBody: false,
            // The SigV4 payload hash: the store hashes the part and refuses a mismatch before keeping it (S3PartTransformer).
            ChecksPartDigests: DigestKinds.Sha256);
    }

    public string Name { get; }

    public BackendRules Rules { get; }

    public BackendCluster Cluster { get; }

    internal AmazonS3Client Client { get; }

    public IBackendTargets Targets => S3Targets.Instance;

    public IEnumerable<QuotaScope> QuotaScopes(UploadTarget target) => [];

    public async Task<BackendSession> CreateAsync(BackendCreate request, CancellationToken cancellationToken)
    {
        var (partSize, partCount) = S3PartSizing.For(request.ContentLength, _options.PartSize);
        var relative = S3Target.Of(request.Target).Key;
        // The type's target check knows no prefix: the key's length with this backend's is checked here.
        S3Keys.Validate(relative, _options.KeyPrefix);
        var key = S3Keys.Object(_options.KeyPrefix, relative);
        if (request.Conflict == ContractValues.Conflicts.Error 
            && await CallAsync("create", () => _completion.ExistsAsync(key, cancellationToken), cancellationToken))
        {
            throw new GatewayException(ErrorCode.Conflict, "An object with this key already exists and conflict is \"error\".");
        }
        // An empty object has no parts, and S3 has no multipart upload of none: complete writes it.
        var uploadId = partCount == 0 ? "" : await CallAsync("create", async () => (await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _options.Bucket,
            Key = S3Keys.Staging(_options.KeyPrefix, request.UploadId),
        }, cancellationToken)).UploadId, cancellationToken);
        return new BackendSession(new BackendSessionRef(uploadId), partSize, partCount, request.Target);
    }

    public PartTransformer CreatePartTransformer(UploadSession session, int partNumber, long size, PartDigests digests) =>
        new S3PartTransformer(size, _endpoint, S3Keys.Staging(_options.KeyPrefix, session.Id), session.BackendSession.Id, partNumber, digests.Sha256);

    public Task<string?> AcceptPartAsync(UploadSession session, int partNumber, PartDigests digests, BackendResponse response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccess)
        {
            throw S3Errors.FromPart(response, Name);
        }
        return Task.FromResult<string?>(response.ETag is { Length: > 0 } etag
            ? etag
            : throw new GatewayException(ErrorCode.BackendError, $"S3 backend '{Name}' accepted part {partNumber} without an ETag."));
    }

    public Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken) =>
        CallAsync("complete", () => _completion.CompleteAsync(session, parts, checksums, cancellationToken), cancellationToken);

    public Task AbortAsync(UploadSession session, CancellationToken cancellationToken) =>
        CallAsync("abort", () => _completion.AbortAsync(session, cancellationToken), cancellationToken);

    /// <summary>Readiness: the bucket answers a signed listing of one key, so a store that is down or refuses the credentials is not ready.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _options.KeyPrefix, MaxKeys = 1 }, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => Client.Dispose();

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not GatewayException && S3Errors.FromCall(e, Name, operation, cancellationToken) is { } error)
        {
            throw error;
        }
    }

    private Task CallAsync(string operation, Func<Task> call, CancellationToken cancellationToken) =>
        CallAsync(operation, async () => { await call(); return true; }, cancellationToken);
}
