using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Configuration;
using UploadGateway.Contract;

namespace Gateway.Tests.ThirdBackend;

/// <summary>
/// The offset store (<see cref="OffsetStore"/>) as a gateway backend: a plugin written entirely outside
/// <c>gateway/</c>, registered by the test host with one line (<c>AddUploadBackendType&lt;OffsetStoreBackendType&gt;("offsets")</c>).
/// </summary>
internal sealed class OffsetStoreBackendType : IUploadBackendType
{
    public IBackendTargets Targets => OffsetTargets.Instance;

    public IEnumerable<string> ValidateOptions(IConfigurationSection section, string at) =>
        section["Replace"] is { } replace && !bool.TryParse(replace, out _) ? [$"{at}:Replace must be true or false."] : [];

    public IUploadBackend Create(BackendContext context) => new OffsetStoreBackend(context);
}

/// <summary>An offset-store target: a bucket, and the object's key in it.</summary>
internal sealed record OffsetTarget(string Bucket, string Key)
{
    public static OffsetTarget Of(UploadTarget target) => target.Read(OffsetJsonContext.Default.OffsetTarget);

    public UploadTarget ToTarget() => UploadTarget.Of(this, OffsetJsonContext.Default.OffsetTarget);
}

internal sealed record OffsetOpenBody(string Key, long Length, bool Replace);

internal sealed record OffsetSealBody(string? Sha256);

internal sealed record OffsetOpened(string Session, long Chunk);

internal sealed record OffsetSealed(string Key, long Size, string Sha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OffsetTarget))]
[JsonSerializable(typeof(OffsetOpenBody))]
[JsonSerializable(typeof(OffsetSealBody))]
[JsonSerializable(typeof(OffsetOpened))]
[JsonSerializable(typeof(OffsetSealed))]
internal sealed partial class OffsetJsonContext : JsonSerializerContext;

/// <summary>Contract <c>{"bucket", "key"}</c>; from a front, <c>bucket</c> and <c>key</c>, or a <c>prefix</c> and the <c>filename</c>.</summary>
internal sealed class OffsetTargets : IBackendTargets
{
    public static readonly OffsetTargets Instance = new();

    public IReadOnlyList<string> Fields { get; } = ["bucket", "key"];

    public IReadOnlyList<string> Keys { get; } = ["bucket", "key", "prefix", TargetKeys.FileName];

    public IReadOnlyList<string> RuleKeys { get; } = ["Buckets"];

    public UploadTarget Validate(UploadTarget target, string kind, string conflict)
    {
        var members = TargetKeys.Members(target, Fields, "offsets");
        if (members.GetValueOrDefault("bucket") is not { Length: > 0 } bucket || members.GetValueOrDefault("key") is not { } key)
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.bucket and target.key are required.");
        }
        TargetNames.RefuseUnsafeCharacters(key, "key");
        if (!OffsetStore.KeyPattern().IsMatch(key))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.key must be a relative path of plain segments.");
        }
        return new OffsetTarget(bucket, key).ToTarget();
    }

    public UploadTarget From(IReadOnlyDictionary<string, string> keys)
    {
        var bucket = TargetKeys.Value(keys, "bucket") ?? throw TargetKeys.Missing("bucket", "the bucket");
        var key = TargetKeys.Value(keys, "key");
        if (key is null)
        {
            var prefix = TargetKeys.Value(keys, "prefix") ?? throw TargetKeys.Missing("key", "the object's key");
            key = prefix.TrimEnd('/') + "/" + (TargetKeys.Value(keys, TargetKeys.FileName) ?? throw TargetKeys.Missing(TargetKeys.FileName, "the file's name"));
        }
        return new OffsetTarget(bucket, key).ToTarget();
    }

    public IReadOnlyDictionary<string, string> KeysOf(UploadTarget target)
    {
        var t = OffsetTarget.Of(target);
        var slash = t.Key.LastIndexOf('/');
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bucket"] = t.Bucket,
            ["key"] = t.Key,
            ["prefix"] = t.Key[..Math.Max(0, slash)],
            [TargetKeys.FileName] = t.Key[(slash + 1)..],
        };
    }

    public string? Refusal(UploadTarget target, IReadOnlyDictionary<string, List<string>> rules)
    {
        var bucket = OffsetTarget.Of(target).Bucket;
        return rules.TryGetValue("Buckets", out var buckets) && buckets.Count > 0 && !buckets.Contains(bucket) ? $"bucket {bucket}" : null;
    }

    public IEnumerable<(string Key, string Problem)> CheckTemplate(IReadOnlyDictionary<string, string> template, bool complete)
    {
        foreach (var key in template.Keys.Where(k => !Keys.Contains(k)))
        {
            yield return (key, "does not apply to an offset store.");
        }
        if (complete && !template.ContainsKey("bucket"))
        {
            yield return ("bucket", "is required.");
        }
    }
}

/// <summary>One configured offset store: parts go to <c>PUT /sessions/{id}?offset=…</c>, nothing numbers them.</summary>
internal sealed class OffsetStoreBackend(BackendContext context) : IUploadBackend
{
    public string Name => context.Name;

    public BackendCluster Cluster => context.Http.Cluster;

    public BackendRules Rules { get; } = new(
        context.Type,
        Kinds: [ContractValues.Kinds.File],
        Conflicts: [ContractValues.Conflicts.Error, ContractValues.Conflicts.Replace],
        TargetFields: OffsetTargets.Instance.Fields,
        Checksums: new ChecksumsRequired(Part: [], Complete: []),
        MinUploadBytes: context.Options.MinUploadBytes ?? 0,
        MaxConcurrency: context.Options.MaxConcurrency,
        NeedsPartSha1BeforeBody: false,
        // The store checks no part digest: the gateway hashes every part (SHA-256) and records it by that.
        ChecksPartDigests: DigestKinds.None);

    public IBackendTargets Targets => OffsetTargets.Instance;

    public IEnumerable<QuotaScope> QuotaScopes(UploadTarget target) => [];

    public async Task<BackendSession> CreateAsync(BackendCreate request, CancellationToken cancellationToken)
    {
        var target = OffsetTarget.Of(request.Target);
        var message = context.Http.Request(HttpMethod.Post, $"buckets/{Uri.EscapeDataString(target.Bucket)}/sessions");
        var replace = request.Conflict == ContractValues.Conflicts.Replace;
        BackendHttp.SetJson(message, new OffsetOpenBody(target.Key, request.ContentLength, replace), OffsetJsonContext.Default.OffsetOpenBody);
        var response = await context.Http.SendAsync(message, cancellationToken);
        if (!response.IsSuccess)
        {
            throw response.Status switch
            {
                400 => new GatewayException(ErrorCode.InvalidTarget, "The offset store refused the target."),
                409 => new GatewayException(ErrorCode.Conflict, "The object exists and conflict is \"error\"."),
                _ => BackendHttp.CommonError(response, "unknown", "create"),
            };
        }
        var opened = response.Read(OffsetJsonContext.Default.OffsetOpened, Name, "create");
        var parts = request.ContentLength == 0 ? 0 : (int)((request.ContentLength + opened.Chunk - 1) / opened.Chunk);
        return new BackendSession(new BackendSessionRef(opened.Session), opened.Chunk, parts, request.Target);
    }

    public PartTransformer CreatePartTransformer(UploadSession session, int partNumber, long size, PartDigests digests) =>
        new OffsetPartTransformer(size, context.Http, session.BackendSession.Id, session.OffsetOf(partNumber));

    public Task<string?> AcceptPartAsync(UploadSession session, int partNumber, PartDigests digests, BackendResponse response, CancellationToken cancellationToken) =>
        response.Status switch
        {
            >= 200 and < 300 => Task.FromResult<string?>(null),
            409 => throw new GatewayException(ErrorCode.PartConflict, "The offset store holds other bytes at this part's offset."),
            _ => throw BackendHttp.CommonError(response, "unknown", "part upload"),
        };

    public async Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken)
    {
        var message = context.Http.Request(HttpMethod.Post, $"sessions/{session.BackendSession.Id}/seal");
        BackendHttp.SetJson(message, new OffsetSealBody(checksums.Sha256 ?? session.Sha256), OffsetJsonContext.Default.OffsetSealBody);
        var response = await context.Http.SendAsync(message, cancellationToken);
        if (!response.IsSuccess)
        {
            throw response.Status switch
            {
                422 => new GatewayException(ErrorCode.ChecksumMismatch, "The object's SHA-256 differs from the one given; the upload failed.") { EndsSession = true },
                409 => new GatewayException(ErrorCode.BackendError, "The offset store is missing bytes the gateway recorded as received."),
                _ => BackendHttp.CommonError(response, "unknown", "complete"),
            };
        }
        var sealedObject = response.Read(OffsetJsonContext.Default.OffsetSealed, Name, "complete");
        return new CommitOutcome.Completed(new SessionResult { Path = sealedObject.Key, Size = sealedObject.Size });
    }

    public async Task AbortAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var response = await context.Http.SendAsync(context.Http.Request(HttpMethod.Delete, $"sessions/{session.BackendSession.Id}"), cancellationToken);
        if (!response.IsSuccess && response.Status != 404)
        {
            throw BackendHttp.CommonError(response, "unknown", "abort");
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => context.Http.IsReachableAsync(cancellationToken);

    /// <summary>A part as the store takes it: its bytes at its offset, nothing else.</summary>
    private sealed class OffsetPartTransformer(long size, BackendHttp http, string session, long offset) : PartTransformer(size)
    {
        protected override void Shape(HttpRequestMessage request, Uri destination)
        {
            request.RequestUri = new Uri(destination, $"sessions/{session}?offset={offset.ToString(CultureInfo.InvariantCulture)}");
            http.Authorize(request);
        }
    }
}
