using System.Diagnostics;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using static Gateway.Telemetry.GatewayTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// A backend's control plane (create, complete, abort) as spans (<c>backend {operation}</c>) with the upload's
/// id and the backend's name, and as <c>gateway.backend.request.duration</c> measurements. The HTTP calls below
/// are traced by HttpClient itself, which sends <c>traceparent</c> to the backend. Parts are measured by
/// <see cref="PartTelemetry"/>, since they stream through YARP rather than through this interface.
/// </summary>
internal sealed class InstrumentedBackend(IUploadBackend inner, GatewayMetrics metrics) : IUploadBackend
{
    public string Name => inner.Name;

    public BackendRules Rules => inner.Rules;

    public BackendCluster Cluster => inner.Cluster;

    public IBackendTargets Targets => inner.Targets;

    public IEnumerable<QuotaScope> QuotaScopes(UploadTarget target) => inner.QuotaScopes(target);

    public Task<BackendSession> CreateAsync(BackendCreate request, CancellationToken cancellationToken) =>
        TraceAsync("create", request.UploadId, () => inner.CreateAsync(request, cancellationToken));

    public PartTransformer CreatePartTransformer(UploadSession session, int partNumber, long size, PartDigests digests) =>
        inner.CreatePartTransformer(session, partNumber, size, digests);

    public Task<string?> AcceptPartAsync(UploadSession session, int partNumber, PartDigests digests, BackendResponse response, CancellationToken cancellationToken) =>
        inner.AcceptPartAsync(session, partNumber, digests, response, cancellationToken);

    public Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken) =>
        TraceAsync("complete", session.Id, () => inner.CompleteAsync(session, parts, checksums, cancellationToken));

    public async Task AbortAsync(UploadSession session, CancellationToken cancellationToken) =>
        await TraceAsync<object?>("abort", session.Id, async () =>
        {
            await inner.AbortAsync(session, cancellationToken);
            return null;
        });

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);

    private async Task<T> TraceAsync<T>(string operation, string uploadId, Func<Task<T>> call)
    {
        using var activity = Start("backend " + operation, ActivityKind.Internal, uploadId);
        activity?.SetTag(Tags.Backend, inner.Name);
        activity?.SetTag(Tags.BackendType, inner.Rules.Type);
        activity?.SetTag(Tags.BackendOperation, operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            metrics.BackendTook(Stopwatch.GetElapsedTime(started), inner.Name, operation, null);
            Succeed(activity);
            return result;
        }
        catch (Exception e)
        {
            var errorType = ErrorTypeOf(e);
            metrics.BackendTook(Stopwatch.GetElapsedTime(started), inner.Name, operation, errorType);
            Fail(activity, errorType);
            throw;
        }
    }
}
