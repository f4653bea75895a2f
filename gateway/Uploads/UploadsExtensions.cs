namespace Gateway.Uploads;

internal static class UploadsExtensions
{
    /// <summary>The control plane every front calls: create (approved by the pre-create hook, if any), complete, abort, expire.</summary>
    public static IServiceCollection AddUploads(this IServiceCollection services)
    {
        services.AddOptions<CompletionOptions>().BindConfiguration(CompletionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CommitRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<CommitRunner>());
        return services.AddSingleton<UploadLifecycle>();
    }
}
