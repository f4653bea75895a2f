using System.Text.Json.Serialization;
using Gateway.Sessions;
using Gateway.Telemetry;

namespace Gateway.Admin;

/// <summary><c>GET /v1/admin/uploads</c>: every tenant's live sessions with their progress, and this instance's latest errors.</summary>
/// <param name="ActiveSessions">All live sessions in the store; <paramref name="Sessions"/> may hold fewer (see <c>limit</c>).</param>
internal sealed record AdminUploadsBody(DateTime GeneratedAt, long ActiveSessions, IReadOnlyList<AdminSession> Sessions, IReadOnlyList<AdminError> RecentErrors);

/// <summary>A session as an operator sees it: whose, where, how far. Never the backend's session reference or URLs.</summary>
internal sealed record AdminSession(
    string UploadId,
    string Tenant,
    string Backend,
    string BackendType,
    UploadTarget Target,
    string Kind,
    string Status,
    long ContentLength,
    long AcceptedBytes,
    int PartCount,
    int PartsReceived,
    int PartsInFlight,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime ExpiresAt)
{
    public static AdminSession From(UploadSession s, DateTimeOffset now) => new(
        s.Id, s.Tenant, s.Backend, s.BackendType, s.Target, s.Kind, s.StatusAt(now),
        s.ContentLength, s.AcceptedBytes, s.PartCount, s.PartsReceived, s.PartsInFlight,
        s.CreatedAt.UtcDateTime, s.UpdatedAt.UtcDateTime, s.ExpiresAt.UtcDateTime);
}

internal sealed record AdminError(DateTime At, string Code, int Status, string Method, string Path, string? UploadId, string? TraceId, string Detail)
{
    public static AdminError From(RecentError e) => new(e.At.UtcDateTime, e.Code, e.Status, e.Method, e.Path, e.UploadId, e.TraceId, e.Detail);
}

/// <summary>The admin view's JSON: snake_case like the contract, source-generated.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AdminUploadsBody))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
