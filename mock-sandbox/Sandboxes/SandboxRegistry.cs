using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MockSandbox.Configuration;
using MockSandbox.Errors;
using MockSandbox.Paths;

namespace MockSandbox.Sandboxes;

/// <summary>The sandboxes that exist: those configured at start-up and those made through <c>/_mock/sandboxes</c>.</summary>
internal sealed class SandboxRegistry
{
    private readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly MockSandboxOptions _options;
    private readonly SandboxStorage _storage;

    public SandboxRegistry(IOptions<MockSandboxOptions> options, SandboxStorage storage)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        _options = options.Value;
        _storage = storage;
        AddConfigured();
    }

    public ICollection<Sandbox> All => _sandboxes.Values;

    /// <summary>The settings configuration gives every new sandbox.</summary>
    public SandboxSettings DefaultSettings => SandboxSettings.FromOptions(_options);

    /// <summary>The sandbox, or <c>404 sandbox_not_found</c> [doc]; <c>409 sandbox_not_ready</c> while it is not ready.</summary>
    public Sandbox GetReady(string id)
    {
        var sandbox = Find(id) ?? throw SandboxError.SandboxNotFound(id).AsException();
        return sandbox.Ready ? sandbox : throw SandboxError.SandboxNotReady(id).AsException();
    }

    public Sandbox? Find(string id) => _sandboxes.GetValueOrDefault(id);

    /// <summary>Adds a sandbox with empty folders; null when the id is taken.</summary>
    public Sandbox? TryCreate(string id, SandboxSettings settings)
    {
        var sandbox = new Sandbox(id, settings, _storage.For(id));
        if (!_sandboxes.TryAdd(id, sandbox))
        {
            return null;
        }
        sandbox.Directories.Prepare(SandboxPaths.Roots);
        return sandbox;
    }

    /// <summary>Removes a sandbox and deletes its filesystem and staged uploads.</summary>
    public bool Remove(string id)
    {
        if (!_sandboxes.TryRemove(id, out var sandbox))
        {
            return false;
        }
        sandbox.Directories.Delete();
        return true;
    }

    /// <summary>Back to the configured sandboxes, empty, with configured settings.</summary>
    public void Reset()
    {
        foreach (var id in _sandboxes.Keys)
        {
            Remove(id);
        }
        AddConfigured();
    }

    private void AddConfigured()
    {
        foreach (var id in _options.Sandboxes)
        {
            TryCreate(id, DefaultSettings);
        }
    }
}
