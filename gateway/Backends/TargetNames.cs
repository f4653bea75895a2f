using Gateway.Contract;

namespace Gateway.Backends;

/// <summary>Checks shared by the adapters' target validation.</summary>
internal static class TargetNames
{
    /// <summary>Refuses control characters (CR, LF, NUL, …): they are never part of a real name and are how header and log injection starts.</summary>
    public static void RefuseControlCharacters(string? value, string field)
    {
        if (value is not null && value.Any(char.IsControl))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, $"target.{field} contains control characters.");
        }
    }

    public static GatewayException NotApplicable(string field, string type) =>
        new(ErrorCode.InvalidTarget, $"target.{field} does not apply to a {type} backend.");
}
