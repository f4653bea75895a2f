namespace Gateway.Forwarding;

/// <summary><c>Gateway:Forwarding</c>: the data path.</summary>
internal sealed class ForwardingOptions
{
    public const string Section = "Gateway:Forwarding";

    /// <summary>Where Box parts sent without a SHA-1 are spooled. Default: a folder under the system temp directory.</summary>
    public string SpoolDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "upload-gateway-spool");
}
