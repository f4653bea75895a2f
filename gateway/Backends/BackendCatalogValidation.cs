using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Backends;

/// <summary>Start-up checks of <c>Gateway:Backends</c> against <c>ReverseProxy:Clusters</c>.</summary>
internal sealed class BackendCatalogValidation(IConfiguration configuration, BackendTypes types) : IValidateOptions<BackendCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, BackendCatalogOptions options)
    {
        var failures = new List<string>();
        if (options.Backends.Count == 0)
        {
            failures.Add("Gateway:Backends is empty: configure at least one backend (Type, Cluster, Credential).");
        }
        foreach (var (backend, settings) in options.Backends)
        {
            var at = $"Gateway:Backends:{backend}";
            if (!types.TryGet(settings.Type, out var type))
            {
                failures.Add($"{at}:Type is '{settings.Type}'; it must be a registered backend type: {string.Join(", ", types.Names.Select(n => $"'{n}'"))}.");
            }
            else
            {
                failures.AddRange(type.ValidateOptions(configuration.GetSection(at), at));
            }
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
            failures.AddRange(DataAnnotations.Validate(settings, at));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
