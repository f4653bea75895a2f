using System.Collections.Concurrent;
using MockSandbox.Quota;
using MockSandbox.Uploads;

namespace MockSandbox.Sandboxes;

/// <summary>One sandbox: its folders, the settings its next sessions get, its sessions and its staging quota.</summary>
internal sealed class Sandbox(string id, SandboxSettings settings, SandboxDirectories directories)
{
    private SandboxSettings _settings = settings;
    private volatile bool _ready = true;

    public string Id { get; } = id;

    public SandboxDirectories Directories { get; } = directories;

    public SandboxSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    /// <summary>A sandbox that is not ready answers <c>409 sandbox_not_ready</c> [doc code; set through <c>/_mock/</c>].</summary>
    public bool Ready
    {
        get => _ready;
        set => _ready = value;
    }

    public StagingQuota Quota { get; } = new();

    public ConcurrentDictionary<string, UploadSession> Sessions { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Serialises changes to the sandbox's filesystem: a conflict check and the rename that follows it
    /// must not interleave with another publish to the same place.
    /// </summary>
    public SemaphoreSlim PublishLock { get; } = new(1, 1);
}
