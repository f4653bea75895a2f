namespace Gateway.Rechunking;

/// <summary><c>Gateway:Rechunking</c>: where the re-chunker keeps the bytes that wait for a later request.</summary>
internal sealed class RechunkingOptions
{
    public const string Section = "Gateway:Rechunking";

    /// <summary>
    /// Where the bytes of an unfinished part (the tail), the hash state at part boundaries and the fronts' small
    /// records of each upload are kept. Every instance must see the same directory (a shared volume) for any
    /// instance to take any request. Default: a folder in the service's data folder (one instance only); its name
    /// is the one it had when only the tus front used it, so staged uploads survive the upgrade.
    /// </summary>
    public string StagingDirectory { get; set; } = Path.Combine(Domain.PrivateFolder.DataRoot, "tus");

    /// <summary>How often the staging directory is swept of uploads that have ended or expired.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
