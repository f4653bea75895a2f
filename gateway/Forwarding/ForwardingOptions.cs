namespace Gateway.Forwarding;

/// <summary><c>Gateway:Forwarding</c>: the data path.</summary>
internal sealed class ForwardingOptions
{
    public const string Section = "Gateway:Forwarding";

    /// <summary>
    /// Where Box parts sent without a SHA-1 are spooled once <see cref="SpoolMemoryBytes"/> is in use. Default: <c>spool</c>
    /// in the service's own data folder (0700).
    /// </summary>
    public string SpoolDirectory { get; set; } = Path.Combine(Domain.PrivateFolder.DataRoot, "spool");

    /// <summary>
    /// The memory this instance may hold Box parts sent without a SHA-1 in (in 1 MiB chunks, kept for reuse); parts
    /// beyond it go to <see cref="SpoolDirectory"/>. 0 spools every such part to disk. Default 64 MiB: eight 8 MiB parts.
    /// </summary>
    public long SpoolMemoryBytes { get; set; } = 64L * 1024 * 1024;
}
