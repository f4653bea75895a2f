using Yarp.ReverseProxy.Configuration;

namespace Gateway.Backends.S3;

/// <summary>
/// Wires the backends of type <c>s3</c>: the plugin, and a YARP cluster each, made
/// from the store's address so that an S3 backend needs no <c>ReverseProxy</c> section: its parts go through YARP's
/// forwarder and the cluster's HTTP client like any backend's.
/// </summary>
internal static class S3Registration
{
    public static string ClusterId(string backend) => "s3:" + backend;

    /// <summary>The S3 backend plugin (<c>Type: s3</c>): the gateway's one line for it.</summary>
    public static IServiceCollection AddS3BackendType(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddUploadBackendType<S3BackendType>(S3Backend.TypeName);
        var clusters = new List<ClusterConfig>();
        foreach (var section in configuration.GetSection($"{BackendCatalogOptions.Section}:Backends").GetChildren())
        {
            if (!string.Equals(section[nameof(BackendOptions.Type)], S3Backend.TypeName, StringComparison.Ordinal))
            {
                continue;
            }
            var name = section.Key;
            clusters.Add(new ClusterConfig
            {
                ClusterId = ClusterId(name),
                Destinations = new Dictionary<string, DestinationConfig>
                {
                    ["store"] = new() { Address = Destination(S3Options.Of(section)).ToString() },
                },
            });
            // The registry builds each backend over the cluster its Cluster setting names: this one's.
            services.PostConfigure<BackendCatalogOptions>(catalog =>
            {
                if (catalog.Backends.TryGetValue(name, out var backend) && backend.Cluster.Length == 0)
                {
                    backend.Cluster = ClusterId(name);
                }
            });
        }
        if (clusters.Count > 0)
        {
            // YARP merges every IProxyConfigProvider; the ReverseProxy section's is the other one.
            services.AddSingleton<IProxyConfigProvider>(new InMemoryConfigProvider([], clusters));
        }
        return services;
    }

    /// <summary>
    /// Where requests go: the service URL as given (path style, the bucket in the path), or the bucket's own host
    /// (virtual-host style: <c>https://bucket.s3.region.amazonaws.com</c> for AWS).
    /// </summary>
    private static Uri Destination(S3Options options)
    {
        var service = Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var given)
            ? given
            : new Uri($"https://s3.{options.Region}.amazonaws.com");
        if (options.PathStyle || options.Bucket.Length == 0)
        {
            return service;
        }
        return new UriBuilder(service) { Host = options.Bucket + "." + service.Host }.Uri;
    }
}

/// <summary>The S3 backend plugin: its targets, its settings' start-up checks, its adapter.</summary>
internal sealed class S3BackendType : IUploadBackendType
{
    public IBackendTargets Targets => S3Targets.Instance;

    /// <summary>Brings its own cluster (from <c>ServiceUrl</c>) and credentials (the keys), checked here.</summary>
    public bool UsesConfiguredCluster => false;

    public IUploadBackend Create(BackendContext context) => new S3Backend(context, S3Options.Of(context.Section));

    /// <summary>Start-up checks of one S3 backend's settings; a bad one stops the gateway with the key named.</summary>
    public IEnumerable<string> ValidateOptions(IConfigurationSection section, string at)
    {
        var options = S3Options.Of(section);
        var failures = new List<string>(Domain.DataAnnotations.Validate(options, at));
        if (!string.IsNullOrEmpty(options.ServiceUrl) && !(Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            failures.Add($"{at}:ServiceUrl is not an http(s) URL.");
        }
        if (options.Region.Length == 0)
        {
            failures.Add($"{at}:Region is empty: the store's region (us-east-1 for most S3-compatible stores).");
        }
        if (options.Bucket is not { Length: >= 3 and <= 63 })
        {
            failures.Add($"{at}:Bucket is missing or not a bucket name (3-63 characters).");
        }
        if (string.IsNullOrEmpty(options.AccessKeyId))
        {
            failures.Add($"{at}:AccessKeyId is missing.");
        }
        if (string.IsNullOrEmpty(options.SecretAccessKey) && string.IsNullOrEmpty(options.SecretAccessKeyFile))
        {
            failures.Add($"{at}:SecretAccessKey (or SecretAccessKeyFile, a mounted file holding it) is missing.");
        }
        else if (string.IsNullOrEmpty(options.SecretAccessKey) && !File.Exists(options.SecretAccessKeyFile))
        {
            failures.Add($"{at}:SecretAccessKeyFile names a file that does not exist.");
        }
        if (options.PartSize < options.MinPartSize)
        {
            failures.Add($"{at}:PartSize {options.PartSize} is under the store's minimum part size {options.MinPartSize} (MinPartSize).");
        }
        if (options.MaxCopyBytes < options.MinPartSize)
        {
            failures.Add($"{at}:MaxCopyBytes {options.MaxCopyBytes} is under the store's minimum part size {options.MinPartSize} (MinPartSize).");
        }
        if (options.KeyPrefix.StartsWith('/') || options.KeyPrefix.Contains("..", StringComparison.Ordinal))
        {
            failures.Add($"{at}:KeyPrefix may not start with '/' or contain '..'.");
        }
        return failures;
    }
}
