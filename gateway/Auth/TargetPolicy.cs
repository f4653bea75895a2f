using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Auth;

/// <summary>
/// The targets a tenant may write to (<c>Gateway:Tenants:*:Targets</c>). A refused target is
/// <c>422 invalid_target</c>, like any other target the caller may not use.
/// </summary>
internal static class TargetPolicy
{
    /// <summary>Refuses a target the tenant's rules do not allow; the backend type says what its rules mean.</summary>
    public static void Check(Tenant tenant, IBackendTargets targets, UploadTarget target)
    {
        if (targets.Refusal(target, tenant.Targets) is { } what)
        {
            throw Refused(what);
        }
    }

    private static GatewayException Refused(string what) =>
        new(ErrorCode.InvalidTarget, $"This tenant may not upload to {what}.");
}
