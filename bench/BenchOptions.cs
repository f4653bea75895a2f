using System.Globalization;
using Bench.Uploads;

namespace Bench;

/// <summary>Which path a part takes: straight to the mock, or through the gateway (for Box with or without the part's SHA-1).</summary>
internal enum UploadPathKind
{
    Direct,
    Gateway,

    /// <summary>Box through the gateway without <c>sha=</c> in <c>Content-Digest</c>: the gateway holds each part whole first (in memory within its budget, else on disk).</summary>
    GatewaySpool,

    /// <summary>The direct API through a plain haproxy in HTTP mode: what any reverse proxy costs on this machine.</summary>
    Haproxy,

    /// <summary>The direct API through nginx with request buffering off: the proxy most deployments already run.</summary>
    Nginx,

    /// <summary>Sandbox through the gateway without <c>Content-Digest</c>: the gateway hashes every part itself.</summary>
    GatewayNoDigest,

    /// <summary>The gateway's tus front (docs/tus.md): one upload, PATCHes of one part each, one at a time.</summary>
    Tus,

    /// <summary>The same tus client against @tus/server with its file store (which only writes files): the tus yardstick.</summary>
    TusPeer,

    /// <summary>The gateway's Box front (<c>/box/api</c>) driven as the Box SDK's <c>uploadBigFile</c> drives Box.</summary>
    BoxFront,

    /// <summary>S3 through the gateway with no whole-object digest at complete: the gateway does not read the object back.</summary>
    GatewayNoWholeDigest,
}

/// <summary>The command line. Every option has a default, so a bare run is the documented benchmark.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Uploads one file directly to a mock and through the gateway, and compares throughput, per-part latency
        and the gateway's memory. Starts redis-server, the mocks and the gateway itself (Release builds).

        dotnet run -c Release --project bench -- [options]

          --file-size SIZE      file to upload (default 512MiB; suffixes KiB MiB GiB, or bytes)
          --part-size SIZE      part size asked of the mocks (default 8MiB)
          --concurrency LIST    parts in flight, comma-separated (default 1,4,16)
          --repetitions N       measured uploads per configuration (default 3)
          --warmup N            unmeasured uploads of the file per path before measuring (default 3: pools, connections)
          --jit-warmup N        then rounds of a 32 MiB upload over every gateway path until the gateways' background JIT
                                has taken under 5% of their CPU for N rounds in a row (default 40; 0: none)
          --backends LIST       sandbox,box,s3 (default sandbox,box; s3: a Ceph RGW from apphost/rgw.sh, direct = S3 multipart
                                signed with the AWS SDK's SigV4 signer as the gateway signs, gateway = v1 with {"key": …} targets)
          --paths LIST          direct,gateway,gateway-spool,haproxy,nginx,tus,tus-peer,box-front,gateway-nowhole (default direct,gateway; tus: the
                                /tus front, c=1 only, as a tus upload is one PATCH at a time; tus-peer: the same tus client
                                against @tus/server 2.4.5 + @tus/file-store (installed by npm ci into bench/tus-peer), listed
                                once under backend file-store; box-front: Box only, the /box/api front driven as the Box
                                SDK's uploadBigFile drives Box; gateway-spool: Box parts sent without their SHA-1, so the
                                gateway holds each whole first (memory, or disk past its budget); haproxy, nginx: the direct API through a plain proxy, a baseline
                                for what any proxy hop costs; gateway-nowhole: S3 only, complete without the whole
                                object's SHA-256, so the gateway does not read the object back)
          --clients LIST        who sends the parts (default dotnet): dotnet (this program, 256 KiB writes), dotnet:SIZE
                                (the same writing SIZE at a time, e.g. dotnet:8KiB), curl (curl --parallel, c parts in
                                flight, 64 KiB writes, Content-Digest sent); each path runs with each client, named path+client
          --tus-patch SIZE      tus and tus-peer PATCH size (default: the part size; the file size: one PATCH)
          --tus-checksum        the tus path sends each PATCH's Upload-Checksum (sha1, computed before timing), so the
                                gateway holds and verifies each PATCH whole before it goes on (tus's checksum extension)
          --spool-concurrency LIST  concurrencies for gateway-spool (default: the --concurrency list)
          --client-digest LIST  on,off (default on): on, the client sends each part's digest (direct sandbox X-Part-SHA256,
                                gateway Content-Digest of the kind the backend checks: sandbox sha-256, Box sha); off adds
                                gateway-nodigest (sandbox) and gateway-spool (Box) runs, the gateway hashing every part
                                itself; off alone also drops the sandbox's X-Part-SHA256 on direct runs
          --compare-repo DIR    also run every gateway path against the gateway built in DIR (another worktree, e.g. the
                                commit before a change), interleaved with this one: paths named …-before
          --scale LIST          the scale scenario instead: LIST concurrent sessions (e.g. 10,100,1000) of --scale-parts
                                parts of --part-size (default 1MiB) each, through two gateway instances on one Redis vs
                                direct to mock-sandbox
          --scale-parts N       parts per session in the scale scenario (default 4)
          --scale-cluster       the scale scenario on a 3-master Redis Cluster (redis-server --cluster-enabled, redis-cli
                                --cluster create) instead of one redis-server
          --pin                 give the gateway (with redis-server and the plain proxies) the last core to itself and the
                                client and mocks the others (taskset), as if the gateway ran on its own machine
          --json FILE           also write every measurement as JSON
          --gateway-env K=V     extra environment variable for the gateway process (repeatable; for experiments)
          --before-env K=V      extra environment variable for the --compare-repo gateway only (repeatable): a setting's
                                cost in one run, e.g. --compare-repo . --before-env Gateway__Telemetry__RedisInstrumentation=false
          --work-dir DIR        where the file and the services' data go: a new folder under DIR (default: the temp
                                directory), deleted at the end
          --repo DIR            repository root (default: found from the benchmark's own location)
          --sample-ms N         RSS sampling period in milliseconds (default 5)
          --help
        """;

    public long FileSize { get; private set; } = 512L * 1024 * 1024;

    public long PartSize { get; private set; } = 8L * 1024 * 1024;

    public IReadOnlyList<int> Concurrency { get; private set; } = [1, 4, 16];

    public IReadOnlyList<int>? SpoolConcurrency { get; private set; }

    public int Repetitions { get; private set; } = 3;

    public int Warmup { get; private set; } = 3;

    public int JitWarmup { get; private set; } = 40;

    public IReadOnlyList<string> Backends { get; private set; } = ["sandbox", "box"];

    public IReadOnlyList<UploadPathKind> Paths { get; private set; } = [UploadPathKind.Direct, UploadPathKind.Gateway];

    public IReadOnlyList<ClientKind> Clients { get; private set; } = [ClientKind.Dotnet];

    /// <summary>The tus paths' PATCH size (null: the part size).</summary>
    public long? TusPatch { get; private set; }

    public string? JsonFile { get; private set; }

    public List<KeyValuePair<string, string>> GatewayEnvironment { get; } = [];

    public List<KeyValuePair<string, string>> BeforeEnvironment { get; } = [];

    public string? WorkDirectory { get; private set; }

    public string? Repository { get; private set; }

    public int SampleMilliseconds { get; private set; } = 5;

    public bool Help { get; private set; }

    public bool Pin { get; private set; }

    /// <summary>Whether the client sends part digests: true, false, or both (one run each).</summary>
    public IReadOnlyList<bool> ClientDigest { get; private set; } = [true];

    public string? CompareRepository { get; private set; }

    /// <summary>Session counts of the scale scenario (null: the throughput benchmark).</summary>
    public IReadOnlyList<int>? Scale { get; private set; }

    public int ScaleParts { get; private set; } = 4;

    public bool ScaleCluster { get; private set; }

    /// <summary>The tus path sends an <c>Upload-Checksum</c> with every PATCH.</summary>
    public bool TusChecksum { get; private set; }

    private bool _partSizeGiven;

    public int MaxConcurrency => Concurrency.Concat(SpoolConcurrency ?? []).Max();

    /// <summary>The options, or an exception whose message says what is wrong.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                options.Help = true;
                continue;
            }
            if (name == "--pin")
            {
                options.Pin = true;
                continue;
            }
            if (name == "--scale-cluster")
            {
                options.ScaleCluster = true;
                continue;
            }
            if (name == "--tus-checksum")
            {
                options.TusChecksum = true;
                continue;
            }
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--file-size":
                    options.FileSize = Size(name, value);
                    break;
                case "--part-size":
                    options.PartSize = Size(name, value);
                    options._partSizeGiven = true;
                    break;
                case "--client-digest":
                    options.ClientDigest = [.. List(value).Select(v => v switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new ArgumentException("--client-digest takes on and/or off."),
                    }).Distinct()];
                    break;
                case "--compare-repo":
                    options.CompareRepository = value;
                    break;
                case "--scale":
                    options.Scale = Integers(name, value);
                    break;
                case "--scale-parts":
                    options.ScaleParts = Integer(name, value, 1);
                    break;
                case "--concurrency":
                    options.Concurrency = Integers(name, value);
                    break;
                case "--spool-concurrency":
                    options.SpoolConcurrency = Integers(name, value);
                    break;
                case "--repetitions":
                    options.Repetitions = Integer(name, value, 1);
                    break;
                case "--warmup":
                    options.Warmup = Integer(name, value, 0);
                    break;
                case "--jit-warmup":
                    options.JitWarmup = Integer(name, value, 0);
                    break;
                case "--backends":
                    options.Backends = List(value);
                    if (options.Backends.Any(b => b is not ("sandbox" or "box" or "s3")))
                    {
                        throw new ArgumentException("--backends takes sandbox, box and/or s3.");
                    }
                    break;
                case "--paths":
                    options.Paths = [.. List(value).Select(p => p switch
                    {
                        "direct" => UploadPathKind.Direct,
                        "gateway" => UploadPathKind.Gateway,
                        "gateway-spool" => UploadPathKind.GatewaySpool,
                        "haproxy" => UploadPathKind.Haproxy,
                        "nginx" => UploadPathKind.Nginx,
                        "tus" => UploadPathKind.Tus,
                        "tus-peer" => UploadPathKind.TusPeer,
                        "box-front" => UploadPathKind.BoxFront,
                        "gateway-nowhole" => UploadPathKind.GatewayNoWholeDigest,
                        _ => throw new ArgumentException($"--paths: unknown path '{p}' (direct, gateway, gateway-spool, haproxy, nginx, tus, tus-peer, box-front, gateway-nowhole)."),
                    })];
                    break;
                case "--clients":
                    options.Clients = [.. List(value).Select(c => ClientKind.Parse(c, v => Size(name, v))).Distinct()];
                    break;
                case "--tus-patch":
                    options.TusPatch = Size(name, value);
                    break;
                case "--json":
                    options.JsonFile = value;
                    break;
                case "--gateway-env":
                    options.GatewayEnvironment.Add(Variable(name, value));
                    break;
                case "--before-env":
                    options.BeforeEnvironment.Add(Variable(name, value));
                    break;
                case "--work-dir":
                    options.WorkDirectory = value;
                    break;
                case "--repo":
                    options.Repository = value;
                    break;
                case "--sample-ms":
                    options.SampleMilliseconds = Integer(name, value, 1);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {name}.");
            }
        }
        if (options.Scale is not null)
        {
            // Small sessions: the scenario's own part size unless one was given, and only the sandbox.
            options.PartSize = options._partSizeGiven ? options.PartSize : 1L << 20;
            options.Backends = ["sandbox"];
            options.Concurrency = [options.ScaleParts];
            options.FileSize = options.ScaleParts * options.PartSize;
        }
        if (options.ScaleCluster && options.Scale is null)
        {
            throw new ArgumentException("--scale-cluster goes with --scale.");
        }
        if (options.Clients.Count == 0)
        {
            throw new ArgumentException("--clients needs at least one client.");
        }
        if (options.ClientDigest.Count == 0)
        {
            throw new ArgumentException("--client-digest needs on and/or off.");
        }
        if (options.PartSize < 1 || options.FileSize < 1)
        {
            throw new ArgumentException("--file-size and --part-size must be at least 1 byte.");
        }
        if (options.FileSize / options.PartSize > 10_000)
        {
            throw new ArgumentException("--file-size / --part-size gives more than 10,000 parts.");
        }
        if (options.BeforeEnvironment.Count > 0 && options.CompareRepository is null)
        {
            throw new ArgumentException("--before-env sets the --compare-repo gateway's environment; give --compare-repo (. for this build).");
        }
        return options;
    }

    public static string Format(long bytes) => bytes switch
    {
        _ when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        _ when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        _ when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };

    private static KeyValuePair<string, string> Variable(string name, string text)
    {
        var equals = text.IndexOf('=');
        return equals > 0 ? new(text[..equals], text[(equals + 1)..]) : throw new ArgumentException($"{name} takes NAME=VALUE.");
    }

    private static long Size(string name, string text)
    {
        var units = new (string Suffix, long Factor)[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(text[..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return checked(count * factor);
            }
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : throw new ArgumentException($"{name}: '{text}' is not a size (e.g. 512MiB, 8MiB, 1048576).");
    }

    private static int Integer(string name, string text, int min) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new ArgumentException($"{name}: '{text}' is not a whole number ≥ {min}.");

    private static IReadOnlyList<int> Integers(string name, string text)
    {
        var values = List(text).Select(t => Integer(name, t, 1)).ToList();
        return values.Count > 0 ? values : throw new ArgumentException($"{name} needs at least one value.");
    }

    private static List<string> List(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
