using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A real S3 server for one test class (<c>IClassFixture&lt;CephRgw&gt;</c>): Ceph's RADOS Gateway from Debian's
/// packages, one <c>ceph-mon</c>, one <c>ceph-osd</c> on <c>memstore</c> (data in RAM) and one <c>radosgw</c>, all on
/// loopback ports, with a user, its keys and a bucket. Ready in about two seconds; everything it started is stopped and
/// its folder removed when the class ends.
/// </summary>
/// <remarks>
/// The cluster is the repository's one launcher's (<c>apphost/rgw.sh --detach</c>, which ./run and the benchmark run
/// too): its <c>ceph.conf</c> and the reasons for each setting live there. Detached, the daemons run in sessions of
/// their own and write pid files, which is how this fixture stops them (a zombie counts as stopped: pid 1 reaps them
/// late) and how it stops and restarts radosgw alone.
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

    /// <summary>radosgw's name in the launcher's <c>ceph.conf</c> (its section, its pid file).</summary>
    private const string RgwName = "client.rgw.dev";

    private static string Launcher => Path.Combine(SharedSpecs.RepositoryRoot, "apphost", "rgw.sh");

    private string _directory = "";

    /// <summary>The S3 endpoint, <c>http://127.0.0.1:port</c> (path-style addressing).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public int Port { get; private set; }

    /// <summary>A bucket made for this class.</summary>
    public string Bucket { get; } = "gw-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>RAM the osd may fill (only what is written is used); near full, writes hang.</summary>
    protected virtual long MemstoreBytes => 2L << 30;

    /// <summary>More settings of radosgw's section (<c>rgw.sh --set</c>), for stores configured unlike the default.</summary>
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
        Port = RedisServer.FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{Port}");
        string[] arguments = ["--detach", "--dir", _directory, "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--memstore-bytes", MemstoreBytes.ToString(CultureInfo.InvariantCulture), .. RgwSettings.SelectMany(s => new[] { "--set", s })];
        try
        {
            await RunAsync("bash", [Launcher, .. arguments], new Dictionary<string, string>
            {
                ["S3_BUCKET"] = Bucket,
                ["S3_ACCESS_KEY"] = AccessKey,
                ["S3_SECRET_KEY"] = SecretKey,
            }, TimeSpan.FromSeconds(90));
        }
        catch (Exception e)
        {
            // The launcher stopped what it had started, removed the folder and printed the daemons' last log lines.
            _directory = "";
            throw new InvalidOperationException($"Ceph RGW did not start: {e.Message}", e);
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
    public Task StopGatewayAsync() => StopAsync(PidFile(RgwName));

    /// <summary>Starts radosgw again on the same port and waits until it answers.</summary>
    public async Task StartGatewayAsync()
    {
        await RunAsync("setsid", ["radosgw", "-c", Conf, "-n", RgwName]);
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
        await StopAsync(PidFile(RgwName));
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

    private async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["CEPH_CONF"] = Conf;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        using var expiry = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(expiry.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds:0} s.");
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
