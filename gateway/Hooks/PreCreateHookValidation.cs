using Gateway.Auth;
using Gateway.Events;
using Microsoft.Extensions.Options;

namespace Gateway.Hooks;

/// <summary>
/// Start-up checks of <c>Gateway:Hooks:PreCreate</c>, each failure a sentence naming the key. A hook half
/// configured (a secret or tenants without a URL) is a mistake, not "off": it stops the gateway too.
/// </summary>
internal sealed class PreCreateHookValidation(IOptions<TenantCatalogOptions> tenants) : IValidateOptions<PreCreateHookOptions>
{
    /// <summary>A create waits for the hook; longer than this is no longer a request a client waits on.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);

    public ValidateOptionsResult Validate(string? name, PreCreateHookOptions options)
    {
        const string At = PreCreateHookOptions.Section;
        var failures = new List<string>();
        if (!options.Enabled)
        {
            if (!string.IsNullOrEmpty(options.Secret) || options.Tenants.Count > 0)
            {
                failures.Add($"{At}:Url is empty, but {At}:Secret or {At}:Tenants is set: give the hook's URL, or remove the section.");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{At}:Url must be an absolute http or https URL.");
        }
        else if (url.UserInfo.Length > 0)
        {
            // A credential in the URL would travel into logs and traces; the signature is how the hook knows the gateway.
            failures.Add($"{At}:Url may not carry a user name or password; the hook checks the webhook-signature header instead.");
        }
        if (!StandardWebhooks.TryReadSecret(options.Secret, out _))
        {
            failures.Add($"{At}:Secret must be whsec_ followed by the base64 of at least 16 random bytes (24 to 64 recommended).");
        }
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
        {
            failures.Add($"{At}:Timeout must be more than zero and at most {MaxTimeout:c}.");
        }
        foreach (var tenant in options.Tenants.Where(t => !tenants.Value.Tenants.ContainsKey(t)))
        {
            failures.Add($"{At}:Tenants names '{tenant}', which is not configured under Gateway:Tenants.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
