namespace Gateway.Forwarding;

/// <summary><c>Gateway:Forwarding</c>: the data path.</summary>
internal sealed class ForwardingOptions
{
    public const string Section = "Gateway:Forwarding";

    /// <summary>Where Box parts sent without a SHA-1 are spooled. Default: <c>spool</c> in the service's own data folder (0700).</summary>
    public string SpoolDirectory { get; set; } = Path.Combine(Domain.PrivateFolder.DataRoot, "spool");
}
