using Microsoft.Extensions.Options;

namespace Gateway.UploadTokens;

/// <summary>
/// <c>Gateway:UploadTokens</c>, and each tenant's right to mint (<c>Gateway:Tenants:&lt;name&gt;:UploadTokens:Mint</c>),
/// bound from the <c>Gateway</c> section beside the tenant catalog.
/// </summary>
internal sealed class UploadTokenOptions
{
    public const string Section = "Gateway";

    public UploadTokenSettings UploadTokens { get; set; } = new();

    public Dictionary<string, TenantUploadTokenSection> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the tenant's own credentials (API keys, JWTs; never an upload token) may mint upload tokens.</summary>
    public bool MayMint(string tenant) => Tenants.TryGetValue(tenant, out var section) && section.UploadTokens.Mint;
}

internal sealed class UploadTokenSettings
{
    /// <summary>The longest <c>expires_in</c> a token gets; a longer one asked for is cut to this.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The lifetime of a token minted without <c>expires_in</c>.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromMinutes(15);
}

internal sealed class TenantUploadTokenSection
{
    public TenantUploadTokens UploadTokens { get; set; } = new();
}

internal sealed class TenantUploadTokens
{
    public bool Mint { get; set; }
}

internal sealed class UploadTokenOptionsValidation : IValidateOptions<UploadTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadTokenOptions options)
    {
        var settings = options.UploadTokens;
        if (settings.MaxLifetime < TimeSpan.FromSeconds(1) || settings.MaxLifetime > TimeSpan.FromDays(7))
        {
            return ValidateOptionsResult.Fail("Gateway:UploadTokens:MaxLifetime must be between 00:00:01 and 7.00:00:00.");
        }
        if (settings.DefaultLifetime < TimeSpan.FromSeconds(1) || settings.DefaultLifetime > settings.MaxLifetime)
        {
            return ValidateOptionsResult.Fail("Gateway:UploadTokens:DefaultLifetime must be at least 00:00:01 and at most MaxLifetime.");
        }
        return ValidateOptionsResult.Success;
    }
}
