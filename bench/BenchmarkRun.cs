using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Bench.Measure;
using Bench.Report;
using Bench.Services;
using Bench.Uploads;

namespace Bench;

/// <summary>
/// One benchmark: start the services, write the file, warm every path up, then for each repetition and
/// concurrency upload the file over each path in turn (direct first, then through the gateway, so each gateway
/// run has a direct run just before it to be compared with), and print the tables.
/// </summary>
internal static class BenchmarkRun
{
    private static string? s_workDirectory;

    public static async Task RunAsync(BenchOptions options, string commandLine, CancellationToken cancellationToken)
    {
        var repository = FindRepository(options.Repository);
        var work = Directory.CreateDirectory(Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), "gateway-bench-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        s_workDirectory = work;
        try
        {
            await RunInAsync(options, commandLine, repository, work, cancellationToken);
        }
        finally
        {
            DeleteWorkDirectory();
        }
    }

    /// <summary>Deletes the run's folder (the file, the services' data); also called when the run is stopped at once.</summary>
    public static void DeleteWorkDirectory()
    {
        if (Interlocked.Exchange(ref s_workDirectory, null) is not { } work)
        {
            return;
        }
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Could not delete {work}: {e.Message}");
        }
    }

    private static async Task RunInAsync(BenchOptions options, string commandLine, string repository, string work, CancellationToken cancellationToken)
    {
        Console.WriteLine($"# Upload benchmark: direct to the mocks vs through the gateway");
        Console.WriteLine();
        Console.WriteLine($"command: `{commandLine}`");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {TotalMemory()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine($"file: {BenchOptions.Format(options.FileSize)} in {BenchOptions.Format(options.PartSize)} parts; concurrency {string.Join(",", options.Concurrency)}; " +
            $"{options.Repetitions} repetitions, {options.Warmup} warm-up per path; backends {string.Join(",", options.Backends)}");
        // The mocks store every part here: on a VM's disk their writes can cost more CPU than any proxy (docs/BENCHMARKS.md).
        Console.WriteLine($"data: {work} on {new DriveInfo(work).DriveFormat}");
        Console.WriteLine();

        Log("starting redis-server, mocks and gateway…");
        await using var stack = await ServiceStack.StartAsync(options, repository, work, cancellationToken);
        using var http = CreateClient();
        await stack.WaitUntilReadyAsync(http, cancellationToken);
        Log($"services: {string.Join(", ", stack.All.Select(c => $"{c.Name} pid {c.Pid} at {c.BaseAddress}"))}");
        Console.WriteLine(stack.GatewayCpus is null
            ? "placement: not pinned (every process may run on every core)"
            : $"placement: gateway, redis-server and the plain proxies on core {stack.GatewayCpus}; benchmark client and mocks on core(s) {stack.ClientCpus}");
        Console.WriteLine();

        // The gateway's footprint before it has seen a single part: the cold idle baseline.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var coldIdle = ProcFs.Memory(stack.Gateway.Pid)?.Rss ?? 0;
        var coldKinds = ProcFs.ResidentKinds(stack.Gateway.Pid);

        Log($"writing the {BenchOptions.Format(options.FileSize)} test file…");
        using var file = await TestFile.CreateAsync(Path.Combine(work, "upload.bin"), options.FileSize, cancellationToken);
        file.PartSha1(options.PartSize);
        if (options.TusChecksum)
        {
            file.PartSha1(options.TusPatch ?? options.PartSize);
        }
        if (options.Scale is { } sessions)
        {
            await ScaleRun.RunAsync(options, stack, file, sessions, cancellationToken);
            return;
        }

        var paths = Paths(options, stack, http, file).ToList();
        var runner = new Runner(stack, TimeSpan.FromMilliseconds(options.SampleMilliseconds));
        var jitWarmup = "no JIT warm-up";
        var gateways = stack.Gateways.Concat(stack.GatewayBefore is null ? [] : [stack.GatewayBefore]).ToList();
        for (var i = 0; i < options.Warmup; i++)
        {
            foreach (var path in paths)
            {
                var warm = await runner.RunAsync(path, ConcurrencyFor(path, options.MaxConcurrency), 0, cancellationToken);
                Log($"warm-up {path.Backend} {path.Name}: {warm.MegabytesPerSecond:F0} MB/s");
            }
        }

        if (options.JitWarmup > 0)
        {
            // What runs once per upload is compiled again only after hundreds of uploads: small ones get it there (JitWarmup).
            using var small = await TestFile.CreateAsync(Path.Combine(work, "warmup.bin"), Math.Min(options.FileSize, JitWarmupFileSize), cancellationToken);
            var throughGateways = Paths(options, stack, http, small)
                .Where(path => path.Middle?.StartsWith("gateway", StringComparison.Ordinal) == true)
                .Select(path => (path, ConcurrencyFor(path, options.MaxConcurrency)))
                .ToList();
            var (rounds, quiet) = await JitWarmup.RunAsync(runner, throughGateways, gateways, options.JitWarmup, Log, cancellationToken);
            jitWarmup = $"then {rounds} rounds of a {BenchOptions.Format(small.Length)} upload over every gateway path, " +
                (quiet ? $"the last {options.JitWarmup} with the gateways' background JIT under {JitReading.QuietShare:P0} of their CPU" : "and their background JIT **still busy**");
            Log("JIT warm-up: " + jitWarmup);
        }

        // The gateway's footprint once JIT, pools and connections have settled: the warm idle baseline.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var warmIdle = ProcFs.Memory(stack.Gateway.Pid)?.Rss ?? 0;
        var warmKinds = ProcFs.ResidentKinds(stack.Gateway.Pid);
        Log($"gateway idle RSS: cold {coldIdle / 1048576.0:F0} MiB, warm {warmIdle / 1048576.0:F0} MiB");

        var results = new List<RunResult>();
        var (jitDuringRuns, gatewaysCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (var concurrency in options.Concurrency.Union(options.SpoolConcurrency ?? []))
            {
                foreach (var path in paths)
                {
                    var spoolConcurrency = options.SpoolConcurrency ?? options.Concurrency;
                    var wanted = path.Kind == UploadPathKind.GatewaySpool ? spoolConcurrency.Contains(concurrency) : options.Concurrency.Contains(concurrency);
                    if (!wanted || ConcurrencyFor(path, concurrency) != concurrency)
                    {
                        continue;
                    }
                    var jit = new JitReading(gateways);
                    var result = await runner.RunAsync(path, concurrency, repetition, cancellationToken);
                    (jitDuringRuns, gatewaysCpu) = (jitDuringRuns + jit.Compiled, gatewaysCpu + jit.Cpu);
                    results.Add(result);
                    Log($"rep {repetition} c={concurrency,-2} {path.Backend,-7} {path.Name,-13} {result.MegabytesPerSecond,6:F0} MB/s  p50 {result.P50,6:F1} ms  p99 {result.P99,6:F1} ms  " +
                        $"gw RSS peak {result.GatewayRssPeak / 1048576.0,4:F0} MiB  other CPU {result.OtherCpuPercent,3:F0}%");
                }
            }
        }
        var finalRss = ProcFs.Memory(stack.Gateway.Pid);
        var finalKinds = ProcFs.ResidentKinds(stack.Gateway.Pid);

        var summary = new Summary(results, coldIdle, warmIdle);
        Console.WriteLine();
        Console.WriteLine("## Results (medians over repetitions; latency percentiles over every part of every repetition)");
        Console.WriteLine();
        Console.WriteLine("MB/s = 10^6 bytes per second over the parts phase (create and complete excluded). ÷ direct: each gateway run against " +
            "the direct run just before it. Added p50: gateway p50 − direct p50 at the same concurrency. RSS growth: gateway peak RSS during " +
            "the run minus its idle RSS after warm-up (warm) and right after start-up (cold).");
        Console.WriteLine();
        Console.Write(summary.Results());
        Console.WriteLine();
        Console.WriteLine($"Gateway RSS: idle after start-up {coldIdle / 1048576.0:F0} MiB, idle after warm-up {warmIdle / 1048576.0:F0} MiB, " +
            $"after the last run {(finalRss?.Rss ?? 0) / 1048576.0:F0} MiB (VmHWM over its whole life {(finalRss?.Peak ?? 0) / 1048576.0:F0} MiB). " +
            $"Anonymous + file-backed + shared (JIT code): {Kinds(coldKinds)} cold, {Kinds(warmKinds)} warm, {Kinds(finalKinds)} at the end.");
        Console.WriteLine();
        Console.WriteLine($"Warm-up: {options.Warmup} uploads of the file per path, {jitWarmup}. During the measured runs the gateways' " +
            $"background JIT took {jitDuringRuns.TotalSeconds:F2} s of their {gatewaysCpu.TotalSeconds:F2} s of CPU.");
        Console.WriteLine();
        Console.WriteLine("## Targets");
        Console.WriteLine();
        Console.Write(summary.Targets());
        Console.WriteLine();
        var fronts = new Fronts(results);
        Console.WriteLine("## Every front beside the plain proxies (issue 27; CPU s/GiB: medians over repetitions and concurrencies)");
        Console.WriteLine();
        Console.Write(fronts.Table());
        Console.WriteLine();
        Console.Write(fronts.Targets());
        Console.WriteLine();
        var s3 = new S3Costs(results);
        if (s3.Any)
        {
            Console.WriteLine("## The S3 path beside the sandbox path (issue 24; CPU of the process between client and store, medians over repetitions and concurrencies)");
            Console.WriteLine();
            Console.Write(s3.Table());
            Console.WriteLine();
            Console.Write(s3.Targets());
            Console.WriteLine();
        }
        Console.WriteLine("## CPU during the parts phase (medians; % of one core, the machine has " + Environment.ProcessorCount * 100 + "%)");
        Console.WriteLine();
        Console.Write(summary.Cpu());
        Console.WriteLine();
        Console.WriteLine("## Every run");
        Console.WriteLine();
        Console.Write(summary.Runs());

        if (options.JsonFile is { } json)
        {
            await using var stream = File.Create(json);
            await JsonSerializer.SerializeAsync(stream, new { commandLine, options.FileSize, options.PartSize, coldIdleRss = coldIdle, warmIdleRss = warmIdle, runs = results },
                new JsonSerializerOptions { WriteIndented = true }, cancellationToken);
            Log($"wrote {json}");
        }
    }

    /// <summary>Every path asked for, once with each client; tus-peer once (it has no backend), after the backends' paths.</summary>
    private static IEnumerable<UploadPath> Paths(BenchOptions options, ServiceStack stack, HttpClient http, TestFile file) =>
        options.Clients.SelectMany(client => BackendPaths(options, stack, http, file, client)
            .Concat(stack.TusPeer is { } peer
                ? [new ViaTus("file-store", UploadPathKind.TusPeer, http, file, peer.BaseAddress, ServiceStack.GatewayKey, ServiceStack.SandboxId, options.TusPatch, options.PartSize) { Client = client }]
                : []));

    private static IEnumerable<UploadPath> BackendPaths(BenchOptions options, ServiceStack stack, HttpClient http, TestFile file, ClientKind client)
    {
        var digests = options.ClientDigest.Contains(true);
        foreach (var backend in options.Backends)
        {
            foreach (var kind in options.Paths)
            {
                switch (backend, kind)
                {
                    case (_, UploadPathKind.GatewaySpool or UploadPathKind.BoxFront) when backend != "box":
                    case (_, UploadPathKind.GatewayNoWholeDigest) when backend != "s3":
                    case (_, UploadPathKind.TusPeer):
                        continue;
                    case ("s3", UploadPathKind.Direct or UploadPathKind.Haproxy or UploadPathKind.Nginx):
                        var endpoint = kind == UploadPathKind.Direct ? stack.Rgw!.BaseAddress : stack.ProxyFront(kind, backend);
                        yield return new DirectS3(kind, http, file, endpoint, stack.Rgw!.BaseAddress, options.PartSize) { ClientDigest = digests, Client = client };
                        continue;
                    case ("box", UploadPathKind.BoxFront):
                        foreach (var before in stack.GatewayBefore is null ? [false] : new[] { false, true })
                        {
                            var gateway = (before ? stack.GatewayBefore! : stack.Gateway).BaseAddress;
                            yield return new DirectBox(kind, http, file, new Uri(gateway, "box/"), ServiceStack.GatewayKey) { ClientDigest = true, Before = before, Client = client };
                        }
                        continue;
                    case ("sandbox", UploadPathKind.Direct):
                        yield return new DirectSandbox(kind, http, file, stack.Sandbox!.BaseAddress, ServiceStack.SandboxKey, ServiceStack.SandboxId) { ClientDigest = digests, Client = client };
                        continue;
                    case ("sandbox", UploadPathKind.Haproxy or UploadPathKind.Nginx):
                        yield return new DirectSandbox(kind, http, file, stack.ProxyFront(kind, backend), ServiceStack.SandboxKey, ServiceStack.SandboxId) { ClientDigest = digests, Client = client };
                        continue;
                    // Box takes no part without its SHA-1: the direct client always sends it.
                    case ("box", UploadPathKind.Direct):
                        yield return new DirectBox(kind, http, file, stack.Box!.BaseAddress, ServiceStack.BoxToken) { ClientDigest = true, Client = client };
                        continue;
                    case ("box", UploadPathKind.Haproxy or UploadPathKind.Nginx):
                        yield return new DirectBox(kind, http, file, stack.ProxyFront(kind, backend), ServiceStack.BoxToken) { ClientDigest = true, Client = client };
                        continue;
                }
                var through = new List<(UploadPathKind Kind, bool Digest)>();
                if (kind == UploadPathKind.Gateway)
                {
                    foreach (var digest in options.ClientDigest)
                    {
                        // Without digests the Box gateway path is the spool path; listed once even if both were asked for.
                        var variant = digest ? UploadPathKind.Gateway : backend == "box" ? UploadPathKind.GatewaySpool : UploadPathKind.GatewayNoDigest;
                        if (!(variant == UploadPathKind.GatewaySpool && options.Paths.Contains(UploadPathKind.GatewaySpool)))
                        {
                            through.Add((variant, digest));
                        }
                    }
                }
                else
                {
                    // Without the whole object's digest, the parts still carry theirs: only the complete differs from gateway.
                    through.Add((kind, kind == UploadPathKind.GatewayNoWholeDigest && digests));
                }
                foreach (var (variant, digest) in through)
                {
                    foreach (var before in stack.GatewayBefore is null ? [false] : new[] { false, true })
                    {
                        var gateway = (before ? stack.GatewayBefore! : stack.Gateway).BaseAddress;
                        yield return variant == UploadPathKind.Tus
                            ? new ViaTus(backend, variant, http, file, gateway, ServiceStack.GatewayKey, ServiceStack.SandboxId, options.TusPatch, options.PartSize)
                            {
                                Before = before, Client = client, Checksum = options.TusChecksum,
                            }
                            : new ViaGateway(backend, variant, http, file, gateway, ServiceStack.GatewayKey, ServiceStack.SandboxId)
                            {
                                Before = before, ClientDigest = digest, Client = client, Store = backend == "s3" ? stack.Rgw!.BaseAddress : null,
                            };
                    }
                }
            }
        }
    }

    /// <summary>The JIT warm-up's file: four 8 MiB parts, above Box's 20 MB floor for upload sessions.</summary>
    private const long JitWarmupFileSize = 32L << 20;

    /// <summary>A tus upload is one PATCH at a time: its path runs at c = 1 only.</summary>
    private static int ConcurrencyFor(UploadPath path, int concurrency) => path.Kind is UploadPathKind.Tus or UploadPathKind.TusPeer ? 1 : concurrency;

    /// <summary>One client for every request of the run, with room for every part in flight on its own connection.</summary>
    private static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromMinutes(10),
    };

    private static string FindRepository(string? given)
    {
        if (given is not null)
        {
            return File.Exists(Path.Combine(given, "Gateway.sln")) ? Path.GetFullPath(given) : throw new BenchException($"{given} has no Gateway.sln.");
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return directory.FullName;
            }
        }
        throw new BenchException("Could not find the repository (Gateway.sln) above the benchmark's folder; pass --repo.");
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string TotalMemory()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return $"{kib / 1048576.0:F0} GiB";
    }

    private static string Kinds((long Anonymous, long Files, long Shared)? kinds) =>
        kinds is { } k ? $"{k.Anonymous / 1048576.0:F0} + {k.Files / 1048576.0:F0} + {k.Shared / 1048576.0:F0} MiB" : "?";

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
