using System.Text.RegularExpressions;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Events;

/// <summary>
/// Checks every endpoint at start-up, so a typo stops the process with the endpoint's name and what is wrong
/// instead of failing each delivery later. The secret itself never appears in a message.
/// </summary>
internal sealed partial class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (options.FirstRetryDelay > options.MaxRetryDelay)
        {
            failures.Add($"{WebhookOptions.Section}:FirstRetryDelay must not exceed MaxRetryDelay.");
        }
        foreach (var (endpoint, e) in options.Endpoints)
        {
            var at = $"{WebhookOptions.Section}:Endpoints:{endpoint}";
            if (!EndpointName().IsMatch(endpoint))
            {
                failures.Add($"{at}: an endpoint name is 1 to 64 letters, digits, '-', '_' or '.'.");
            }
            if (!Uri.TryCreate(e.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || url.UserInfo.Length > 0 || url.Fragment.Length > 0)
            {
                failures.Add($"{at}:Url must be an absolute http or https URL without credentials or fragment.");
            }
            if (!StandardWebhooks.TryReadSecret(e.Secret, out _))
            {
                failures.Add($"{at}:Secret must be whsec_ followed by the base64 of at least 16 random bytes.");
            }
            foreach (var type in e.Events.Where(t => !EventTypes.All.Contains(t)))
            {
                failures.Add($"{at}:Events: unknown event type '{type}' (known: {string.Join(", ", EventTypes.All)}).");
            }
            if (e.Tenants.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{at}:Tenants: a tenant name is empty.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex EndpointName();
}
