using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Backends;

/// <summary>Start-up checks of <c>Gateway:Backends</c> against <c>ReverseProxy:Clusters</c>.</summary>
internal sealed class BackendCatalogValidation(IConfiguration configuration) : IValidateOptions<BackendCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, BackendCatalogOptions options)
    {
        var failures = new List<string>();
        if (options.Backends.Count == 0)
        {
            failures.Add($"Gateway:Backends is empty: configure at least one backend (Type {string.Join(", ", BackendRegistry.Types)}).");
        }
        foreach (var (backend, settings) in options.Backends)
        {
            var at = $"Gateway:Backends:{backend}";
            if (!BackendRegistry.Types.Contains(settings.Type))
            {
                failures.Add($"{at}:Type is '{settings.Type}'; it must be one of {string.Join(", ", BackendRegistry.Types.Select(t => $"'{t}'"))}.");
            }
            // Other types bring their own address and credentials, validated with their own options.
            if (BackendRegistry.UsesClusterAndCredential(settings.Type))
            {
                if (string.IsNullOrWhiteSpace(settings.Cluster))
                {
                    failures.Add($"{at}:Cluster is missing: name a cluster of ReverseProxy:Clusters.");
                }
                else if (!configuration.GetSection($"ReverseProxy:Clusters:{settings.Cluster}:Destinations").GetChildren().Any())
                {
                    failures.Add($"{at}:Cluster is '{settings.Cluster}', but ReverseProxy:Clusters:{settings.Cluster} has no Destinations.");
                }
                if (string.IsNullOrWhiteSpace(settings.Credential))
                {
                    failures.Add($"{at}:Credential is missing: the backend's API key or access token.");
                }
            }
            failures.AddRange(DataAnnotations.Validate(settings, at));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
