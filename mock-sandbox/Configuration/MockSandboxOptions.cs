namespace MockSandbox.Configuration;

/// <summary>
/// The <c>MockSandbox</c> configuration section. The defaults here are the mock's; <c>appsettings.json</c>
/// adds the development API key and sandbox (lists are not defaulted here because the configuration
/// binder appends to a pre-filled list instead of replacing it).
/// </summary>
internal sealed class MockSandboxOptions
{
    public const string SectionName = "MockSandbox";

    /// <summary>Bearer keys the API accepts [doc: "API key passed as Bearer token"].</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Sandbox ids that exist from start-up (more can be made through <c>/_mock/sandboxes</c>).</summary>
    public List<string> Sandboxes { get; set; } = [];

    /// <summary>Turns on the mock-only <c>/_mock/</c> surface [ours]; off, those paths are the API's 404.</summary>
    public bool TestMode { get; set; }

    /// <summary>
    /// Where sandbox filesystems and staged parts live. Unset: a fresh folder under the system temp
    /// directory, deleted when the mock stops. Set: created if missing and kept.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>The part size the server chooses for new sessions [doc]: 8 MiB.</summary>
    public long PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Parts of one session that may be in flight at once [doc: server-chosen]. 4 keeps a single client
    /// busy on a fast link without letting one upload monopolise the sandbox's disk.
    /// </summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How long a session lives from creation [ours]: 24 hours, fixed (parts do not extend it).</summary>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromHours(24);

    public LimitsOptions Limits { get; set; } = new();
}

/// <summary>The <c>limits</c> object every session reports [seed].</summary>
internal sealed class LimitsOptions
{
    public const long GiB = 1024L * 1024 * 1024;

    /// <summary>Largest <c>content_length</c> a session may declare: 5 GiB.</summary>
    public long MaxUploadBytes { get; set; } = 5 * GiB;

    /// <summary>Largest part body: unset means exactly <see cref="MockSandboxOptions.PartSize"/>.</summary>
    public long? MaxPartBytes { get; set; }

    /// <summary>Bytes all live sessions of one sandbox may reserve together: 10 GiB.</summary>
    public long SandboxStagingQuotaBytes { get; set; } = 10 * GiB;
}
