using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bench.Services;

/// <summary>
/// The object store of <c>--backends s3</c>: a one-node Ceph RADOS Gateway from the repository's one launcher
/// (<c>apphost/rgw.sh</c>, the one ./run and the tests run), in the foreground as a child of the benchmark, with the
/// bucket and user the direct client and the gateway are given. Stopping the child stops its daemons (they are its
/// children); the cluster's folder is inside the run's folder.
/// </summary>
/// <remarks>
/// memstore keeps everything in RAM and a full one makes writes hang, and a deleted object's data stays until
/// radosgw's garbage collector removes it (two hours by default): every upload is deleted once checked and the
/// collector runs every few seconds, so a run of any length holds about one file per path.
/// </remarks>
internal static partial class CephRgwStore
{
    public const string Bucket = "bench";
    public const string AccessKey = "benchaccess";
    public const string SecretKey = "bench-secret-key-0123456789";
    public const string Region = "us-east-1";

    public static async Task<ChildProcess> StartAsync(string repository, string work, int port, long fileSize, string? cpus, CancellationToken cancellationToken)
    {
        var launcher = Path.Combine(repository, "apphost", "rgw.sh");
        var info = new ProcessStartInfo("bash") { WorkingDirectory = work };
        // Room for a few files at once (staging, published, not yet collected), never under the launcher's default.
        var memstore = Math.Max(4L << 30, 6 * fileSize);
        foreach (var argument in new[]
        {
            launcher, "--dir", Path.Combine(work, "rgw"), "--port", port.ToString(CultureInfo.InvariantCulture),
            "--memstore-bytes", memstore.ToString(CultureInfo.InvariantCulture),
            "--set", "rgw gc obj min wait = 0", "--set", "rgw gc processor period = 5",
        })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["S3_BUCKET"] = Bucket;
        info.Environment["S3_ACCESS_KEY"] = AccessKey;
        info.Environment["S3_SECRET_KEY"] = SecretKey;
        return await ChildProcess.StartUntilLineAsync("rgw", info, Ready(), new Uri($"http://127.0.0.1:{port}/"), cpus, cancellationToken);
    }

    /// <summary>The gateway's S3 backend on this store (README.md, "S3 backends"), each setting under <c>Gateway__Backends__s3__</c>.</summary>
    public static Dictionary<string, string> GatewaySettings(Uri store, long partSize, string maxConcurrency) => new()
    {
        ["Type"] = "s3",
        ["ServiceUrl"] = store.ToString(),
        ["Region"] = Region,
        ["Bucket"] = Bucket,
        ["AccessKeyId"] = AccessKey,
        ["SecretAccessKey"] = SecretKey,
        ["PartSize"] = partSize.ToString(CultureInfo.InvariantCulture),
        ["MaxConcurrency"] = maxConcurrency,
    };

    [GeneratedRegex(@"^rgw: ready on ")]
    private static partial Regex Ready();
}
