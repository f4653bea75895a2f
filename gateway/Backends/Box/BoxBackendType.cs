namespace Gateway.Backends.Box;

/// <summary>Box's chunked upload API as a backend plugin (<c>Type: box</c>). It has no settings beyond the common ones.</summary>
internal sealed class BoxBackendType : IUploadBackendType
{
    public IBackendTargets Targets => BoxTargets.Instance;

    public IEnumerable<string> ValidateOptions(IConfigurationSection section, string at) => [];

    public IUploadBackend Create(BackendContext context) => new BoxBackend(context);
}
