using System.Text.RegularExpressions;

namespace MockSandbox.Sandboxes;

/// <summary>Sandbox ids look like <c>sb_a1b2c3d4</c> [seed]; each names a folder, so the alphabet is kept tight.</summary>
internal static partial class SandboxIds
{
    public const string Format = "sb_ followed by 1 to 64 lowercase letters or digits";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    public static string NewId() => "sb_" + Guid.NewGuid().ToString("N")[..8];

    [GeneratedRegex(@"^sb_[a-z0-9]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
