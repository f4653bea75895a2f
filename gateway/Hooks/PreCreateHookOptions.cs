namespace Gateway.Hooks;

/// <summary>
/// <c>Gateway:Hooks:PreCreate</c>: an HTTP endpoint of the deployment's that approves every create before the
/// gateway reserves quota or opens a backend session (docs/hooks.md). Off while <see cref="Url"/> is empty.
/// </summary>
internal sealed class PreCreateHookOptions
{
    public const string Section = "Gateway:Hooks:PreCreate";

    /// <summary>Absolute <c>http</c> or <c>https</c> URL the create is POSTed to; empty: no hook.</summary>
    public string? Url { get; set; }

    /// <summary><c>whsec_&lt;base64&gt;</c>: the key every call is signed with (Standard Webhooks headers).</summary>
    public string? Secret { get; set; }

    /// <summary>How long a create waits for the hook's answer, its body included; past it the create fails closed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The tenants whose creates the hook approves; empty: every tenant.</summary>
    public List<string> Tenants { get; set; } = [];

    public bool Enabled => !string.IsNullOrEmpty(Url);

    public bool AppliesTo(string tenant) => Enabled && (Tenants.Count == 0 || Tenants.Contains(tenant, StringComparer.Ordinal));
}
