using Microsoft.Extensions.Options;

namespace Gateway.Cors;

/// <summary>Start-up checks: every allowed origin is an origin or an origin pattern, and the preflight cache is long enough to matter.</summary>
internal sealed class CorsOptionsValidation : IValidateOptions<GatewayCorsOptions>
{
    public static readonly TimeSpan MinPreflightMaxAge = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, GatewayCorsOptions options)
    {
        var failures = new List<string>();
        Check("Gateway:Cors:AllowedOrigins", options.Cors.AllowedOrigins, failures);
        foreach (var (tenant, section) in options.Tenants)
        {
            Check($"Gateway:Tenants:{tenant}:Cors:AllowedOrigins", section.Cors.AllowedOrigins, failures);
        }
        if (options.Cors.PreflightMaxAge < MinPreflightMaxAge || options.Cors.PreflightMaxAge > TimeSpan.FromDays(1))
        {
            failures.Add("Gateway:Cors:PreflightMaxAge must be between 00:10:00 and 1.00:00:00.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string key, List<string> origins, List<string> failures)
    {
        for (var i = 0; i < origins.Count; i++)
        {
            if (origins[i] == "*")
            {
                failures.Add($"{key}:{i} is \"*\": name the origins (or patterns such as https://*.example.com) whose pages may upload.");
            }
            else if (OriginPattern.TryParse(origins[i], out var error) is null)
            {
                failures.Add($"{key}:{i} \"{origins[i]}\" {error}.");
            }
        }
    }
}
