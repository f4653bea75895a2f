using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Forwarding;

/// <summary>
/// The path of one part (docs/architecture.md): begin in the store (one round trip), stream the body through
/// YARP's <see cref="IHttpForwarder"/> to the backend while hashing what no one else verifies, end in the
/// store (one round trip).
/// </summary>
/// <remarks>
/// The one core entry point that takes an <see cref="HttpContext"/>: YARP's forwarder streams a request body
/// from the incoming request's context and nothing else, and copying the body to hand it over would cost the
/// part path a copy. It reads only the body, its declared length and the abort token; fronts parse everything
/// else (part number, digests) and map the <see cref="PartReceipt"/> back to their wire.
/// </remarks>
internal sealed class PartForwarder(
    ISessionStore store,
    BackendRegistry backends,
    IHttpForwarder forwarder,
    IOptions<StoreOptions> storeOptions,
    PartSpooler spooler,
    TimeProvider time,
    GatewayMetrics metrics,
    ILogger<PartForwarder> logger)
{
    public Task<PartReceipt> PutAsync(HttpContext context, Tenant tenant, string uploadId, int partNumber, PartDigests claimed) =>
        PutAsync(context, tenant, uploadId, partNumber, claimed, context.Request.Body, context.Request.ContentLength, keyless: false);

    /// <summary>
    /// A part whose bytes are <paramref name="length"/> bytes of <paramref name="body"/> rather than the whole
    /// request body: a front whose requests carry several parts, or a part that starts in staged bytes (tus).
    /// The request's body is left as it was, so the caller can read on past the slice. A <paramref name="keyless"/>
    /// part is hashed only for what its backend needs (Box's SHA-1 before the body) and is otherwise recorded known by
    /// no digest (<see cref="DigestKinds.None"/>): a re-chunking front's part, whose bytes no one asked to check.
    /// <paramref name="claimed"/> are digests already known for the slice (a verified tus chunk that is the whole part):
    /// they go on as a client's would, so a backend that wants one before the body is not kept waiting for a hash.
    /// Each slice is forwarded as a request of its own, so one request may have several in flight; it stops when
    /// <paramref name="cancellationToken"/> does (the request's end, or its writer's lock taken over).
    /// </summary>
    public Task<PartReceipt> PutSliceAsync(HttpContext context, Tenant tenant, string uploadId, int partNumber, Stream body, long length,
        PartDigests claimed, bool keyless, CancellationToken cancellationToken) =>
        PutAsync(SliceContext(context, length, cancellationToken), tenant, uploadId, partNumber, claimed, body, length, keyless);

    /// <summary>
    /// Whether a part is read whole before it leaves (<see cref="PartSpooler"/>): its backend needs the part's SHA-1
    /// before the body, and the client did not send it.
    /// </summary>
    public static bool HoldsWhole(BackendRules rules, PartDigests claimed) => rules.NeedsPartSha1BeforeBody && claimed.Sha1 is null;

    private async Task<PartReceipt> PutAsync(HttpContext context, Tenant tenant, string uploadId, int partNumber, PartDigests claimed, Stream source, long? declared,
        bool keyless)
    {
        using var telemetry = metrics.StartPart(uploadId, partNumber);
        var requestBody = context.Request.Body;
        try
        {
            return telemetry.Succeeded(await PutPartAsync(context, tenant, uploadId, partNumber, claimed, source, declared, keyless, telemetry));
        }
        catch (PartBodyException e)
        {
            // Raised while spooling a part or draining a retried one; while streaming, YARP reports it and Translate maps it.
            var refusal = new GatewayException(e.Error, e.Message);
            telemetry.Failed(refusal);
            throw refusal;
        }
        catch (Exception e)
        {
            telemetry.Failed(e);
            throw;
        }
        finally
        {
            // The forwarder streams from Request.Body, which ForwardAsync points at the part; a slice's caller reads on.
            context.Request.Body = requestBody;
        }
    }

    private async Task<PartReceipt> PutPartAsync(HttpContext context, Tenant tenant, string uploadId, int partNumber, PartDigests claimed,
        Stream source, long? declared, bool keyless, PartTelemetry telemetry)
    {
        var cancellationToken = context.RequestAborted;
        if (declared > tenant.Limits.MaxPartBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge,
                $"A part may have at most {tenant.Limits.MaxPartBytes} bytes; this one declares {declared}.");
        }

        var lease = PartLease.New(uploadId, tenant.Name, partNumber);
        var begin = await store.BeginPartAsync(lease, declared);
        if (begin.Outcome == PartBeginOutcome.AlreadyReceived)
        {
            return await VerifyRetryAsync(context, source, begin, partNumber, claimed);
        }
        ThrowIfRefused(begin, partNumber, uploadId);
        var session = begin.Session!;
        telemetry.Began(session.Backend, session.BackendType, begin.ExpectedSize);

        PartRecord record;
        try
        {
            // A part that still streams keeps its lease; end_part records it once even if a renewal failed and another request took it.
            await using var renewal = new LeaseKeeper(storeOptions.Value.LeaseTtl, () => store.RenewLeaseAsync(lease), time);
            record = await ForwardAsync(context, source, session, partNumber, begin.ExpectedSize, claimed, keyless, telemetry);
        }
        catch
        {
            await ReleaseAsync(lease);
            throw;
        }

        var end = await store.EndPartAsync(lease, record);
        if (end.Outcome == PartEndOutcome.Recorded)
        {
            telemetry.Recorded(record.Size);
        }
        return end.Outcome switch
        {
            PartEndOutcome.Recorded or PartEndOutcome.Duplicate => Body(session, record, end.AcceptedBytes, end.PartsReceived),
            PartEndOutcome.Conflict => throw new GatewayException(ErrorCode.PartConflict,
                $"Part {partNumber} was received meanwhile with different bytes."),
            PartEndOutcome.NotTakingParts => throw new GatewayException(ErrorCode.InvalidState,
                $"The upload became {end.Status} while part {partNumber} was in flight; the part was not counted."),
            _ => throw new GatewayException(ErrorCode.NotFound, $"Upload {uploadId} no longer exists."),
        };
    }

    private async Task<PartRecord> ForwardAsync(HttpContext context, Stream source, UploadSession session, int partNumber, long size, PartDigests claimed,
        bool keyless, PartTelemetry telemetry)
    {
        var backend = backends.Get(session.Backend);
        var cluster = backend.Cluster;
        using var body = new PartBodyStream(source, size, claimed, KindsToHash(claimed, backend.Rules, keyless));
        await using var spool = HoldsWhole(backend.Rules, claimed)
            ? await spooler.FillAsync(body, context.RequestAborted)
            : null;
        // A spooled part was verified while it was written; its digests are known before the first byte leaves.
        var outgoing = body.Digests ?? claimed;
        context.Request.Body = (Stream?)spool ?? body;

        var destination = cluster.PickDestination(context);
        var transformer = backend.CreatePartTransformer(session, partNumber, size, outgoing);
        telemetry.Forwarding();
        var error = await forwarder.SendAsync(context, destination.Model.Config.Address, cluster.Client,
            cluster.State.Model.Config.HttpRequest ?? ForwarderRequestConfig.Empty, transformer, context.RequestAborted);
        if (error != ForwarderError.None)
        {
            throw Translate(context, error);
        }
        if (body.Digests is not { } digests)
        {
            throw new GatewayException(ErrorCode.BackendError, "The backend answered before the whole part was sent.");
        }
        // A digest the gateway did not hash is recorded only past this point: the backend checked it and accepted the part.
        var partId = await backend.AcceptPartAsync(session, partNumber, digests, transformer.Response!, context.RequestAborted);
        telemetry.Forwarded(transformer.Response!.Status);
        var record = new PartRecord(partNumber, size, backend.Rules.PartKey, Hex(digests.Sha256), Hex(digests.Sha1), partId);
        // The digest of the part's own kind when the backend needed it anyway (Box's SHA-1), else none.
        return keyless && !digests.Kinds.HasFlag(backend.Rules.PartKey) ? record with { Key = DigestKinds.None } : record;
    }

    /// <summary>
    /// The digest kinds the gateway hashes for a part forwarded to a backend with <paramref name="rules"/>
    /// (README.md, "Which digest is checked where"): each byte is verified once. What the client sent and the
    /// backend checks itself passes through; the gateway hashes the digest a recorded part is known by when the
    /// client did not send it, a client digest the backend does not check, and the SHA-1 a backend needs before
    /// the body when the client sent none. A <paramref name="keyless"/> part needs no digest for the record.
    /// </summary>
    internal static DigestKinds KindsToHash(PartDigests claimed, BackendRules rules, bool keyless = false)
    {
        var needed = (keyless ? DigestKinds.None : rules.PartKey) | claimed.Kinds | (rules.NeedsPartSha1BeforeBody ? DigestKinds.Sha1 : DigestKinds.None);
        return needed & ~(claimed.Kinds & rules.ChecksPartDigests);
    }

    /// <summary>
    /// A part that was received before: the retry is accepted if its bytes are the same (as object stores and tus do).
    /// Its bytes go nowhere, so the gateway hashes them all: the digest the part is known by, and whatever the
    /// client claims. A part known by no digest cannot be compared with anything, so its retry is refused.
    /// </summary>
    private async Task<PartReceipt> VerifyRetryAsync(HttpContext context, Stream source, PartBegin begin, int partNumber, PartDigests claimed)
    {
        var existing = begin.Existing!;
        if (existing.Key == DigestKinds.None)
        {
            throw new GatewayException(ErrorCode.PartConflict,
                $"Part {partNumber} was received through a front that re-chunks (tus) and is known by no digest, so no part sent again can be compared with it; it is stored, so send the parts after it.");
        }
        using var body = new PartBodyStream(source, begin.ExpectedSize, claimed, existing.Key | claimed.Kinds);
        var digests = await body.DrainAsync(context.RequestAborted);
        var retry = existing with { Sha256 = Hex(digests.Sha256), Sha1 = Hex(digests.Sha1) };
        if (!retry.SameBytesAs(existing))
        {
            throw new GatewayException(ErrorCode.PartConflict,
                $"Part {partNumber} was already received with different bytes ({existing.Key.ToString().ToLowerInvariant()} {existing.KeyDigest}).");
        }
        var session = await store.GetAsync(begin.Session!.Id, begin.Session.Tenant, context.RequestAborted) ?? begin.Session;
        return Body(session, existing, session.AcceptedBytes, session.PartsReceived);
    }

    /// <summary>
    /// What YARP forwards a slice from: it streams <see cref="HttpRequest.Body"/> of the context it is given and reports
    /// its errors there, so slices in flight at once must not share the request's own context.
    /// </summary>
    private static DefaultHttpContext SliceContext(HttpContext request, long length, CancellationToken cancellationToken)
    {
        var slice = new DefaultHttpContext { RequestServices = request.RequestServices, RequestAborted = cancellationToken };
        slice.Request.Method = HttpMethods.Put;
        slice.Request.Scheme = request.Request.Scheme;
        slice.Request.Host = request.Request.Host;
        slice.Request.Protocol = request.Request.Protocol;
        slice.Request.ContentLength = length;
        slice.Features.Set<IHttpRequestBodyDetectionFeature>(SliceHasBody.Instance);
        return slice;
    }

    private sealed class SliceHasBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly SliceHasBody Instance = new();

        public bool CanHaveBody => true;
    }

    private static void ThrowIfRefused(PartBegin begin, int partNumber, string uploadId)
    {
        GatewayException? refusal = begin.Outcome switch
        {
            PartBeginOutcome.Started => null,
            PartBeginOutcome.NotFound => new(ErrorCode.NotFound, $"No upload {uploadId}."),
            PartBeginOutcome.InvalidState => new(ErrorCode.InvalidState, $"The upload is {begin.Status}; it takes no more parts."),
            PartBeginOutcome.Expired => new(ErrorCode.Expired, "The upload expired; create a new one."),
            PartBeginOutcome.NoSuchPart => new(ErrorCode.InvalidRequest,
                $"Part {partNumber} does not exist: this upload has parts 1 to {begin.PartCount}."),
            PartBeginOutcome.SizeMismatch => new(ErrorCode.PartSizeMismatch,
                $"Part {partNumber} must have exactly {begin.ExpectedSize} bytes."),
            PartBeginOutcome.ConcurrencyLimit => new(ErrorCode.ConcurrencyLimit,
                "Too many parts of this upload are in flight; retry when one has finished.") { RetryAfter = TimeSpan.FromSeconds(1) },
            PartBeginOutcome.PartInFlight => new(ErrorCode.ConcurrencyLimit,
                $"Part {partNumber} is already being uploaded by another request.") { RetryAfter = TimeSpan.FromSeconds(1) },
            _ => new(ErrorCode.Internal, $"Unexpected outcome {begin.Outcome}."),
        };
        if (refusal is not null)
        {
            throw refusal;
        }
    }

    /// <summary>Why YARP could not forward the part, in the contract's terms.</summary>
    private static Exception Translate(HttpContext context, ForwarderError error)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (Find<PartBodyException>(exception) is { } partError)
        {
            return new GatewayException(partError.Error, partError.Message);
        }
        if (context.RequestAborted.IsCancellationRequested)
        {
            return new OperationCanceledException(context.RequestAborted);
        }
        if (error == ForwarderError.RequestBodyClient)
        {
            return Find<BadHttpRequestException>(exception) is { } bad
                ? new GatewayException(ErrorCode.InvalidRequest with { Status = bad.StatusCode }, $"The part's body could not be read: {bad.Message}")
                : new GatewayException(ErrorCode.InvalidRequest, "The part's body could not be read to its end.");
        }
        return new GatewayException(ErrorCode.BackendUnavailable, $"The part could not be forwarded to the backend ({error}); retry it.")
        {
            RetryAfter = TimeSpan.FromSeconds(1),
        };
    }

    private async Task ReleaseAsync(PartLease lease)
    {
        try
        {
            await store.EndPartAsync(lease, null);
        }
        catch (Exception e)
        {
            // The lease lapses by itself; the part's own error is what the client needs to see.
            Log.LeaseNotReleased(logger, lease.UploadId, lease.PartNumber, e);
        }
    }

    private static PartReceipt Body(UploadSession session, PartRecord part, long acceptedBytes, int partsReceived) =>
        new(part, session.OffsetOf(part.Number), acceptedBytes, partsReceived);

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find<T>(inner) is { } nested)
                    {
                        return nested;
                    }
                }
            }
        }
        return null;
    }

    private static string? Hex(byte[]? bytes) => bytes is null ? null : Convert.ToHexStringLower(bytes);
}

/// <summary>A part the store counted (or had counted before), with the session's progress after it.</summary>
internal sealed record PartReceipt(PartRecord Part, long Offset, long AcceptedBytes, int PartsReceived);
