using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A real S3 server for one test class (<c>IClassFixture&lt;CephRgw&gt;</c>): Ceph's RADOS Gateway from Debian's
/// packages, one <c>ceph-mon</c>, one <c>ceph-osd</c> on <c>memstore</c> (data in RAM) and one <c>radosgw</c>, all on
/// loopback ports from one <c>ceph.conf</c> in a temp folder, with a user, its keys and a bucket. Ready in about
/// two seconds; everything it started is stopped and its folder removed when the class ends.
/// </summary>
/// <remarks>
/// No systemd, no mgr, no cephx. The settings that matter (each cost someone time; ../shared/docs/ENVIRONMENT.md):
/// radosgw defaults to cephx and a secure mon connection, so its own section turns both off; the mon proposes every
/// 50 ms instead of every second (rgw's first start sends ~20 mon commands); the lifecycle threads are off (they
/// delay SIGTERM); daemons start under <c>setsid</c> and a zombie counts as stopped (pid 1 reaps them late); a full
/// memstore makes PUTs hang rather than fail, so it is sized above anything a test writes.
/// </remarks>
public class CephRgw(IMessageSink output) : IAsyncLifetime
{
    public const string AccessKey = "gatewaytestaccess";
    public const string SecretKey = "gateway-test-secret-key-0123456789";
    public const string Region = "us-east-1";

    private static readonly string[] s_daemons = ["radosgw", "ceph-mon", "ceph-osd"];

    /// <summary>Why these tests cannot run here, or null when the daemons are installed.</summary>
    public static string? SkipReason { get; } = s_daemons.All(d => RedisServer.FindOnPath(d) is not null)
        ? null
        : "Ceph's RADOS Gateway is not installed: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common (.ci/run does).";

    private string _directory = "";
    private int _monPort;

    /// <summary>The S3 endpoint, <c>http://127.0.0.1:port</c> (path-style addressing).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public int Port { get; private set; }

    /// <summary>A bucket made for this class.</summary>
    public string Bucket { get; } = "gw-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>RAM the osd may fill (only what is written is used); near full, writes hang.</summary>
    protected virtual long MemstoreBytes => 2L << 30;

    /// <summary>More <c>[client.rgw.gw]</c> settings, for stores configured unlike the default.</summary>
    protected virtual IEnumerable<string> RgwSettings => [];

    private string Conf => Path.Combine(_directory, "ceph.conf");

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }
        var clock = Stopwatch.StartNew();
        _directory = Directory.CreateTempSubdirectory("gateway-tests-rgw-").FullName;
        foreach (var sub in new[] { "mon/ceph-a", "osd/ceph-0", "run", "log", "crash" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, sub));
        }
        _monPort = RedisServer.FreePort();
        Port = RedisServer.FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{Port}");
        var fsid = Guid.NewGuid().ToString("D");
        await File.WriteAllTextAsync(Conf, Config(fsid));
        try
        {
            await RunAsync("monmaptool", "--create", "--fsid", fsid, "--addv", "a", $"[v2:127.0.0.1:{_monPort}]", "--enable-all-features",
                "--set-min-mon-release", "pacific", Path.Combine(_directory, "monmap"));
            await RunAsync("ceph-mon", "-c", Conf, "--mkfs", "-i", "a", "--monmap", Path.Combine(_directory, "monmap"));
            await RunAsync("setsid", "ceph-mon", "-c", Conf, "-i", "a");
            await RunAsync("ceph", "-c", Conf, "mon", "stat");
            var osdUuid = Guid.NewGuid().ToString("D");
            var osd = (await RunAsync("ceph", "-c", Conf, "osd", "new", osdUuid)).Trim();
            await RunAsync("ceph-osd", "-c", Conf, "-i", osd, "--mkfs", "--osd-uuid", osdUuid);
            await RunAsync("setsid", "ceph-osd", "-c", Conf, "-i", osd);
            await WaitAsync("the osd to come up", async () =>
                (await RunAsync("ceph", "-c", Conf, "osd", "stat", "-f", "json")).Contains("\"num_up_osds\":1", StringComparison.Ordinal));
            await StartGatewayAsync();
            await RunAsync("radosgw-admin", "-c", Conf, "user", "create", "--uid=gateway-tests", "--display-name=gateway-tests",
                $"--access-key={AccessKey}", $"--secret-key={SecretKey}");
            using var client = Client();
            await client.PutBucketAsync(Bucket);
        }
        catch (Exception e)
        {
            var logs = string.Join("\n", Directory.EnumerateFiles(Path.Combine(_directory, "log"))
                .Select(f => $"{Path.GetFileName(f)}: {string.Join(" | ", File.ReadLines(f).TakeLast(5))}"));
            await DisposeAsync();
            throw new InvalidOperationException($"Ceph RGW did not start: {e.Message}\n{logs}", e);
        }
        Say($"S3 for this test class: Ceph RGW (mon, memstore osd, radosgw) on {Endpoint}, bucket {Bucket}, ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>An S3 client for the tests' own reads and checks (the SDK, path style, checksums only where S3 needs them: rgw 16 takes no trailers).</summary>
    public AmazonS3Client Client(string accessKey = AccessKey, string secretKey = SecretKey) =>
        new(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
        });

    /// <summary>Stops radosgw alone (the store becomes unreachable; mon and osd keep the data).</summary>
    public Task StopGatewayAsync() => StopAsync(PidFile("client.rgw.gw"));

    /// <summary>Starts radosgw again on the same port and waits until it answers.</summary>
    public async Task StartGatewayAsync()
    {
        await RunAsync("setsid", "radosgw", "-c", Conf, "-n", "client.rgw.gw");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitAsync("radosgw to listen", async () =>
        {
            try
            {
                using var response = await http.GetAsync(Endpoint);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        });
    }

    public async Task DisposeAsync()
    {
        if (_directory.Length == 0)
        {
            return;
        }
        await StopAsync(PidFile("client.rgw.gw"));
        foreach (var osd in Directory.EnumerateFiles(Path.Combine(_directory, "run"), "osd.*.pid"))
        {
            await StopAsync(osd);
        }
        await StopAsync(PidFile("mon.a"));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        _directory = "";
    }

    private string PidFile(string daemon) => Path.Combine(_directory, "run", daemon + ".pid");

    private string Config(string fsid)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            [global]
            fsid = {fsid}
            mon host = v2:127.0.0.1:{_monPort}
            public addr = 127.0.0.1
            cluster addr = 127.0.0.1
            auth cluster required = none
            auth service required = none
            auth client required = none
            run dir = {_directory}/run
            admin socket = {_directory}/run/$name.asok
            pid file = {_directory}/run/$name.pid
            log file = {_directory}/log/$name.log
            crash dir = {_directory}/crash
            keyring = {_directory}/keyring
            mon data = {_directory}/mon/$cluster-$id
            mon cluster log file = {_directory}/log/cluster.log
            mon data avail crit = 1
            mon allow pool size one = true
            mon max pg per osd = 1000
            paxos propose interval = 0.05
            osd pool default size = 1
            osd pool default min size = 1
            osd pool default pg num = 8
            osd pool default pgp num = 8
            osd data = {_directory}/osd/$cluster-$id
            osd objectstore = memstore
            memstore device bytes = {MemstoreBytes}
            [client.rgw.gw]
            rgw frontends = beast endpoint=127.0.0.1:{Port}
            rgw thread pool size = 32
            rgw enable lc threads = false
            auth client required = none
            ms mon client mode = crc

            """));
        foreach (var line in RgwSettings)
        {
            text.AppendLine(line);
        }
        return text.ToString();
    }

    private async Task<string> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["CEPH_CONF"] = Conf;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within 30 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {(await stderr).Trim()}");
        }
        return await stdout;
    }

    private static async Task WaitAsync(string what, Func<Task<bool>> ready)
    {
        var deadline = Stopwatch.StartNew();
        while (!await ready())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Waited 30 s for {what}.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM by pid file, SIGKILL after 10 s; a zombie (reparented to a pid 1 that reaps late) is stopped.</summary>
    private static async Task StopAsync(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
        {
            return;
        }
        if (Alive(pid))
        {
            Signal(pid, "TERM");
            var clock = Stopwatch.StartNew();
            while (Alive(pid) && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
            if (Alive(pid))
            {
                Signal(pid, "KILL");
            }
        }
        File.Delete(pidFile);
    }

    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The state follows the command name in parentheses: "123 (radosgw) Z ...".
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
    }

    private void Say(string line) => output.OnMessage(new DiagnosticMessage(line));
}

/// <summary>
/// An RGW whose multipart minimum part size is 4 KiB instead of S3's 5 MiB (<c>rgw_multipart_min_part_size</c>), so
/// a test can make sessions of more than 1,000 parts from a few megabytes.
/// </summary>
public sealed class CephRgwSmallParts(IMessageSink output) : CephRgw(output)
{
    public const int MinPartSize = 4096;

    protected override IEnumerable<string> RgwSettings => [$"rgw multipart min part size = {MinPartSize}"];
}

/// <summary>A fact that needs Ceph's RADOS Gateway; skipped, with the reason shown, where it is not installed.</summary>
public sealed class RgwFactAttribute : FactAttribute
{
    public RgwFactAttribute()
    {
        if (CephRgw.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
