using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>
/// The gateway's S3 backend under ./run (README.md, "S3 backends"): a one-node Ceph RGW that rgw.sh brings up in a
/// folder under .run/ and tears down when the orchestrator stops it, or the store the user named; either way a
/// backend <see cref="ObjectStoreChoice.Backend"/> of the dev tenant.
/// </summary>
internal static class ObjectStoreResource
{
    public const int Port = 5083;

    public static void AddObjectStore(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, ObjectStoreChoice choice)
    {
        var backend = $"Gateway__Backends__{ObjectStoreChoice.Backend}__";
        switch (choice.Kind)
        {
            case ObjectStoreKind.Rgw:
                var state = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".run"));
                var rgw = builder.AddExecutable("s3-rgw", Path.Combine(builder.AppHostDirectory, "rgw.sh"), builder.AppHostDirectory, state)
                    .WithHttpEndpoint(port: Port, env: "RGW_PORT", name: "http")
                    .WithEnvironment("S3_BUCKET", ObjectStoreChoice.Bucket)
                    .WithEnvironment("S3_ACCESS_KEY", ObjectStoreChoice.AccessKey)
                    .WithEnvironment("S3_SECRET_KEY", ObjectStoreChoice.SecretKey)
                    // An anonymous GET of the bucket is 403 once rgw.sh has made it (404 NoSuchBucket before).
                    .WithHttpHealthCheck("/" + ObjectStoreChoice.Bucket, statusCode: 403, endpointName: "http");
                gateway.WithReference(rgw.GetEndpoint("http"))
                    .WithEnvironment(backend + "Type", "s3")
                    .WithEnvironment(backend + "ServiceUrl", rgw.GetEndpoint("http"))
                    .WithEnvironment(backend + "Bucket", ObjectStoreChoice.Bucket)
                    .WithEnvironment(backend + "AccessKeyId", ObjectStoreChoice.AccessKey)
                    .WithEnvironment(backend + "SecretAccessKey", ObjectStoreChoice.SecretKey)
                    .WaitFor(rgw);
                break;
            case ObjectStoreKind.External:
                // The user's own settings of the backend, passed on as given (the secret too, never printed).
                foreach (var setting in builder.Configuration.GetSection(ObjectStoreChoice.Section).AsEnumerable(makePathsRelative: true))
                {
                    if (setting.Value is not null)
                    {
                        gateway.WithEnvironment(backend + setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.Value);
                    }
                }
                gateway.WithEnvironment(backend + "Type", "s3");
                break;
            default:
                return;
        }
        // The dev tenant (gateway/appsettings.Development.json) lists sandbox and box; the S3 backend is its third.
        gateway.WithEnvironment("Gateway__Tenants__dev__Backends__2", ObjectStoreChoice.Backend);
    }
}
