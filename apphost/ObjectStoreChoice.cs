using Microsoft.Extensions.Configuration;

namespace AppHost;

internal enum ObjectStoreKind
{
    /// <summary>No S3 backend, as asked (<c>GATEWAY_S3=none</c>).</summary>
    Off,

    /// <summary>No S3 backend: the description says how to get one.</summary>
    None,

    /// <summary>A one-node Ceph RADOS Gateway (rgw.sh), run by the orchestrator.</summary>
    Rgw,

    /// <summary>A store the user runs, named by <c>Gateway__Backends__objects__*</c> in the environment.</summary>
    External,
}

/// <summary>
/// Whether the gateway gets an S3 backend (<see cref="Backend"/>, for the dev tenant) and which store is behind it.
/// <c>Gateway__Backends__objects__ServiceUrl</c> (with <c>Bucket</c>, <c>AccessKeyId</c>, <c>SecretAccessKey</c>)
/// in the AppHost's environment points it at that store; otherwise Ceph's <c>radosgw</c> on the PATH is started
/// by the AppHost; otherwise there is none. <c>GATEWAY_S3=none</c> leaves it out either way.
/// </summary>
internal sealed record ObjectStoreChoice(ObjectStoreKind Kind)
{
    public const string Variable = "GATEWAY_S3";
    public const string Backend = "objects";
    public const string Bucket = "uploads";

    // Development credentials of the store the AppHost makes (loopback only, data in RAM); ./run prints them.
    public const string AccessKey = "devs3access";
    public const string SecretKey = "dev-s3-secret-key";

    /// <summary>What a one-node RGW needs on the PATH.</summary>
    private static readonly string[] s_daemons = ["radosgw", "radosgw-admin", "ceph-mon", "ceph-osd", "ceph", "monmaptool"];

    public static string Section => $"Gateway:Backends:{Backend}";

    /// <summary>What the S3 backend is, for a person: ./run prints it.</summary>
    public string Description => Kind switch
    {
        ObjectStoreKind.Rgw => $"backend '{Backend}', bucket '{Bucket}' of a one-node Ceph RGW run by the AppHost (memstore: data in RAM)",
        ObjectStoreKind.External => $"backend '{Backend}', the store in {Section.Replace(":", "__", StringComparison.Ordinal)}__*",
        ObjectStoreKind.Off => $"none ({Variable}=none)",
        _ => $"none (radosgw is not installed: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common; " +
             $"or name a store with {Section.Replace(":", "__", StringComparison.Ordinal)}__ServiceUrl, __Bucket, __AccessKeyId and __SecretAccessKey)",
    };

    public static ObjectStoreChoice From(IConfiguration configuration)
    {
        if (configuration[Variable] is { } asked && asked.Trim() is "none")
        {
            return new ObjectStoreChoice(ObjectStoreKind.Off);
        }
        if (configuration[$"{Section}:ServiceUrl"] is { Length: > 0 })
        {
            return new ObjectStoreChoice(ObjectStoreKind.External);
        }
        return s_daemons.All(daemon => Executables.Find(daemon) is not null)
            ? new ObjectStoreChoice(ObjectStoreKind.Rgw)
            : new ObjectStoreChoice(ObjectStoreKind.None);
    }
}
