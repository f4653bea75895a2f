using System.ComponentModel.DataAnnotations;
using Gateway.Domain;

namespace Gateway.Backends.Sandbox;

/// <summary>The sandbox upload API as a backend plugin (<c>Type: sandbox</c>).</summary>
internal sealed class SandboxBackendType : IUploadBackendType
{
    public IBackendTargets Targets => SandboxTargets.Instance;

    public IEnumerable<string> ValidateOptions(IConfigurationSection section, string at) =>
        DataAnnotations.Validate(SandboxSettings.Of(section), at);

    public IUploadBackend Create(BackendContext context) => new SandboxBackend(context, SandboxSettings.Of(context.Section));
}

/// <summary>A sandbox backend's own settings, beside the common ones in <c>Gateway:Backends:&lt;name&gt;</c>.</summary>
internal sealed class SandboxSettings
{
    /// <summary>Staging bytes one sandbox may hold reserved across its live sessions (0: no gateway-side limit).</summary>
    [Range(0, long.MaxValue)]
    public long SandboxStagingQuotaBytes { get; set; }

    public static SandboxSettings Of(IConfigurationSection section) => section.Get<SandboxSettings>() ?? new SandboxSettings();
}
