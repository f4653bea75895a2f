using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Bench.Report;
using Bench.Services;
using Bench.Uploads;

namespace Bench.Measure;

/// <summary>
/// The scale scenario: N small sessions at once (each create, its parts one after the other, complete), direct to
/// mock-sandbox and through two gateway instances on one Redis (or a 3-master Redis Cluster), where a session's
/// requests go round-robin over the instances (create on one, part k on instance i + k, complete on the next), as
/// behind a load balancer with no affinity. Timed as a whole: bytes of every part over the wall time from the first
/// create to the last complete, with each part's latency. Every session waits after its create until all N exist,
/// so that what N live sessions cost is read there: Redis <c>used_memory</c> (every node) and both gateways' RSS,
/// against the same figures just before the creates. A request that fails counts as an error and ends its session;
/// the others go on.
/// </summary>
internal static class ScaleRun
{
    private const double MiB = 1024 * 1024;

    /// <summary>Sessions per warm-up round (<c>--warmup</c> rounds per path, then rounds through the gateways until their JIT is quiet).</summary>
    private const int WarmupSessions = 2000;

    /// <summary>At most this many rounds more through the gateways while their JIT is still busy (<c>--jit-warmup 0</c>: none).</summary>
    private const int MaxJitRounds = 40;

    public static async Task RunAsync(BenchOptions options, ServiceStack stack, TestFile file, IReadOnlyList<int> counts, CancellationToken cancellationToken)
    {
        // Every session's parts in flight at once need their own connections: room for all of them.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // One connection per session up to 4,096 per server: beyond, sessions queue for a connection (file descriptors
            // and loopback ports are finite: 10,000 sessions over three servers would need 20,000 of each).
            MaxConnectionsPerServer = 4096,
            // Below Kestrel's keep-alive timeout (130 s): a session's connection idles while the others are created,
            // minutes with 10,000 on a busy machine, and one the server had closed failed its next part mid-body.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = TimeSpan.FromMinutes(10),
        };
        var gateways = stack.Gateways.Select(g => g.BaseAddress).ToArray();
        var paths = new (string Name, Func<int, int, Gate, CancellationToken, Task<double[]>> Session)[]
        {
            ("direct", (run, i, gate, token) => DirectAsync(http, stack.Sandbox!.BaseAddress, file, options.PartSize, $"{run}-{i}", gate, token)),
            ($"gateway ×{gateways.Length}", (run, i, gate, token) => ViaGatewaysAsync(http, gateways, i, file, options.PartSize, $"{run}-{i}", gate, token)),
        };
        var redis = options.ScaleCluster ? $"a {stack.RedisNodes.Count}-master Redis Cluster" : "one Redis";
        Console.WriteLine($"## Scale: concurrent sessions of {options.ScaleParts} parts of {BenchOptions.Format(options.PartSize)} (sandbox; {gateways.Length} gateway instances on {redis})");
        Console.WriteLine();

        var run = 0;
        foreach (var (name, session) in paths)
        {
            // Warm-up: connections, the mock's and the gateways' pools, and the JIT. A gateway compiles about 12,000
            // methods (tier 0, instrumented, tier 1) before its session path settles, most of them in the background
            // under load; after a warm-up of 20 sessions that was still under way through the measured 10,000, and a
            // third of the gateways' CPU (docs/BENCHMARKS.md, "The whole benchmark in one command").
            for (var warmup = 0; warmup < options.Warmup; warmup++)
            {
                await OneAsync(name, session, ++run, Math.Min(counts.Min(), WarmupSessions), stack, options, cancellationToken);
            }
        }
        // Then, as the throughput benchmark does (JitWarmup), rounds through the gateways until one in which their
        // background JIT was quiet: a round here is hundreds of sessions.
        var (gatewaysName, throughGateways) = paths[1];
        var (extra, settled) = (0, options.JitWarmup == 0);
        while (!settled && extra < MaxJitRounds)
        {
            var reading = new JitReading(stack.Gateways);
            await OneAsync(gatewaysName, throughGateways, ++run, Math.Min(counts.Min(), WarmupSessions), stack, options, cancellationToken);
            extra++;
            settled = reading.Quiet;
        }
        var results = new List<ScaleResult>();
        var (jit, gatewaysCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (var n in counts)
            {
                foreach (var (name, session) in paths)
                {
                    var reading = new JitReading(stack.Gateways);
                    var result = await OneAsync(name, session, ++run, n, stack, options, cancellationToken) with { Repetition = repetition };
                    (jit, gatewaysCpu) = (jit + reading.Compiled, gatewaysCpu + reading.Cpu);
                    results.Add(result);
                    Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] scale rep {repetition} n={n,-5} {name,-12} {result.MegabytesPerSecond,6:F0} MB/s  p50 {result.P50,7:F1} ms  p99 {result.P99,7:F1} ms  " +
                        $"errors {result.Errors}  Redis {result.RedisBytesPerSession:F0} B/session  gateways RSS {result.RssPerThousand / MiB:F1} MiB per 1,000{(result.FirstError is { } e ? "  first error: " + e : "")}");
                }
            }
        }

        var table = new MarkdownTable("sessions", "path", "errors", "MB/s median [min–max]", "÷ direct, paired median", "part p50 ms", "part p99 ms",
            "p99 ÷ direct", "gateways CPU s/GiB", "gateways RSS MiB per 1,000 live sessions", "Redis bytes per live session", "client CPU %", "mock CPU %", "gateways CPU %", "redis CPU %", "other CPU %");
        foreach (var n in counts)
        {
            var direct = results.Where(r => r.Sessions == n && r.Path == "direct").ToList();
            foreach (var name in paths.Select(p => p.Name))
            {
                var these = results.Where(r => r.Sessions == n && r.Path == name).ToList();
                var speed = these.Select(r => r.MegabytesPerSecond).ToList();
                var ratios = these.Select(r => (r, d: direct.FirstOrDefault(d => d.Repetition == r.Repetition))).Where(p => p.d is not null)
                    .Select(p => p.r.MegabytesPerSecond / p.d!.MegabytesPerSecond).ToList();
                var p99 = Stats.Quantile(these.SelectMany(r => r.PartMilliseconds), 0.99);
                var directP99 = Stats.Quantile(direct.SelectMany(r => r.PartMilliseconds), 0.99);
                var isDirect = name == "direct";
                table.Add(I(n), name, I(these.Sum(r => r.Errors)), $"{F(Stats.Median(speed), 0)} [{F(speed.Min(), 0)}–{F(speed.Max(), 0)}]",
                    isDirect ? "" : $"{F(100 * Stats.Median(ratios), 0)}%",
                    F(Stats.Quantile(these.SelectMany(r => r.PartMilliseconds), 0.5), 1), F(p99, 1),
                    isDirect ? "" : F(p99 / directP99, 2),
                    isDirect ? "" : F(Stats.Median(these.Select(r => r.GatewayCpuSeconds / (r.Bytes / (MiB * 1024)))), 2),
                    isDirect ? "" : F(Stats.Median(these.Select(r => r.RssPerThousand / MiB)), 1),
                    isDirect ? "" : F(Stats.Median(these.Select(r => r.RedisBytesPerSession)), 0),
                    F(Stats.Median(these.Select(r => 100 * r.ClientCpuSeconds / r.Seconds)), 0),
                    F(Stats.Median(these.Select(r => 100 * r.MockCpuSeconds / r.Seconds)), 0),
                    isDirect ? "" : F(Stats.Median(these.Select(r => 100 * r.GatewayCpuSeconds / r.Seconds)), 0),
                    F(Stats.Median(these.Select(r => 100 * r.RedisCpuSeconds / r.Seconds)), 1),
                    F(Stats.Median(these.Select(r => r.OtherCpuPercent)), 0));
            }
        }
        Console.WriteLine("MB/s: every part's bytes (10^6) over the wall time from the first create to the last complete. Part latency: request sent to " +
            "answer read, over every part of every repetition. Gateways CPU: both instances' user + system time over the scenario, per GiB of parts. " +
            "CPU %: each process's user + system time over the scenario, in % of one core (the machine has " + Environment.ProcessorCount + " × 100%); the client is this program. " +
            "Live sessions: once all N are created, before any part: both gateways' VmRSS and Redis used_memory (every node) minus the same just before the creates.");
        Console.WriteLine();
        Console.Write(table.ToString());
        Console.WriteLine();
        Console.WriteLine($"Warm-up: {options.Warmup} rounds of {Math.Min(counts.Min(), WarmupSessions)} sessions per path, then {extra} more through the gateways, " +
            (settled ? $"the last with their background JIT under {JitReading.QuietShare:P0} of their CPU" : "their background JIT **still busy**") + ". During the measured runs the gateways' " +
            $"background JIT took {jit.TotalSeconds:F2} s of their {gatewaysCpu.TotalSeconds:F2} s of CPU.");
        Console.WriteLine();
    }

    private static async Task<ScaleResult> OneAsync(string name, Func<int, int, Gate, CancellationToken, Task<double[]>> session, int run, int n,
        ServiceStack stack, BenchOptions options, CancellationToken cancellationToken)
    {
        var (redisBefore, rssBefore) = await FootprintAsync(stack, cancellationToken);
        var cpuBefore = stack.All.ToDictionary(c => c.Name, c => ProcFs.CpuTime(c.Pid));
        var clientBefore = ProcFs.CpuTime(Environment.ProcessId);
        var ours = stack.All.Select(c => c.Pid).Append(Environment.ProcessId).ToList();
        var oursBefore = ours.Sum(p => ProcFs.CpuTime(p).TotalSeconds);
        var machineBefore = ProcFs.Machine();
        var gate = new Gate(n);
        var errors = 0;
        string? firstError = null;
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        async Task<double[]> Guarded(int i)
        {
            try
            {
                return await session(run, i, gate, cancellationToken);
            }
            catch (Exception e) when (e is BenchException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, e.Message, null);
                // Which error: the contract's code when the gateway answered one, else the status or the exception.
                // (The code comes after the status in the message: looked for first, so a 503 says which 503.)
                var code = System.Text.RegularExpressions.Regex.Match(e.Message, "\"code\":\"([a-z_]+)\"");
                var status = System.Text.RegularExpressions.Regex.Match(e.Message, "answered (\\d+)");
                var kind = code.Success ? code.Groups[1].Value : status.Success ? status.Groups[1].Value : e.GetType().Name + (e.InnerException is { } inner ? "/" + inner.GetType().Name : "");
                kinds.AddOrUpdate(kind, 1, (_, c) => c + 1);
                gate.Leave();
                return [];
            }
        }
        var started = Stopwatch.GetTimestamp();
        var sessions = Enumerable.Range(0, n).Select(i => Task.Run(() => Guarded(i), cancellationToken)).ToArray();
        await gate.AllCreated.WaitAsync(cancellationToken);
        // The creates' time is in the throughput; the footprint's reading is not (a few ms against seconds).
        var paused = Stopwatch.GetTimestamp();
        var (redisLive, rssLive) = await FootprintAsync(stack, cancellationToken);
        var pause = Stopwatch.GetElapsedTime(paused);
        gate.Release();
        var latencies = await Task.WhenAll(sessions);
        var seconds = (Stopwatch.GetElapsedTime(started) - pause).TotalSeconds;
        var machine = ProcFs.Machine() - machineBefore;
        var cpu = stack.All.ToDictionary(c => c.Name, c => (ProcFs.CpuTime(c.Pid) - cpuBefore[c.Name]).TotalSeconds);
        var oursSeconds = ours.Sum(p => ProcFs.CpuTime(p).TotalSeconds) - oursBefore;
        var created = Math.Max(1, gate.Created);
        return new ScaleResult
        {
            Sessions = n,
            Path = name,
            // The parts of the sessions that finished (a failed session is counted as an error, its parts are not).
            Bytes = latencies.Sum(l => l.Length) * options.PartSize,
            Seconds = seconds,
            PartMilliseconds = [.. latencies.SelectMany(l => l)],
            GatewayCpuSeconds = cpu.Where(c => c.Key.StartsWith("gateway", StringComparison.Ordinal)).Sum(c => c.Value),
            RedisCpuSeconds = cpu.Where(c => c.Key.StartsWith("redis-server", StringComparison.Ordinal)).Sum(c => c.Value),
            MockCpuSeconds = cpu.Where(c => c.Key.StartsWith("mock", StringComparison.Ordinal)).Sum(c => c.Value),
            ClientCpuSeconds = (ProcFs.CpuTime(Environment.ProcessId) - clientBefore).TotalSeconds,
            OtherCpuPercent = 100 * (machine.Busy.TotalSeconds - oursSeconds) / seconds,
            Errors = errors,
            FirstError = kinds.IsEmpty ? null : string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} ×{k.Value}")) + "; first: " + firstError,
            RedisBytesPerSession = (double)(redisLive - redisBefore) / created,
            RssPerThousand = (double)(rssLive - rssBefore) / created * 1000,
        };
    }

    /// <summary>Redis used_memory over every node, and every gateway instance's VmRSS, in bytes.</summary>
    private static async Task<(long Redis, long Rss)> FootprintAsync(ServiceStack stack, CancellationToken cancellationToken)
    {
        long redis = 0;
        foreach (var node in stack.RedisNodes)
        {
            redis += await RedisInfo.UsedMemoryAsync(node.BaseAddress!.Port, cancellationToken);
        }
        return (redis, stack.Gateways.Sum(g => ProcFs.Memory(g.Pid)?.Rss ?? 0));
    }

    /// <summary>
    /// Holds every session after its create until all N have one (or failed to), so that the footprint of N live
    /// sessions can be read before any part moves.
    /// </summary>
    private sealed class Gate(int sessions)
    {
        private readonly TaskCompletionSource _allCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;
        private int _created;

        public Task AllCreated => _allCreated.Task;

        public int Created => Volatile.Read(ref _created);

        /// <summary>A session exists: waits until every session has been created and the footprint read.</summary>
        public Task CreatedAsync()
        {
            Interlocked.Increment(ref _created);
            Arrive();
            return _released.Task;
        }

        /// <summary>A session that failed before it was created (or after: then it has arrived already).</summary>
        public void Leave()
        {
            if (!_released.Task.IsCompleted && !_allCreated.Task.IsCompleted)
            {
                Arrive();
            }
        }

        public void Release() => _released.TrySetResult();

        private void Arrive()
        {
            if (Interlocked.Increment(ref _arrived) == sessions)
            {
                _allCreated.TrySetResult();
            }
        }
    }

    /// <summary>One session straight to mock-sandbox (mock-sandbox/README.md): create, its parts in order, complete.</summary>
    private static async Task<double[]> DirectAsync(HttpClient http, Uri mock, TestFile file, long partSize, string name, Gate gate, CancellationToken cancellationToken)
    {
        var sandbox = ServiceStack.SandboxId;
        var create = Request(HttpMethod.Post, new Uri(mock, $"v1/sandboxes/{sandbox}/uploads"), ServiceStack.SandboxKey, new JsonObject
        {
            ["kind"] = "file",
            ["source_kind"] = "restartable_file",
            ["target_path"] = $"/workspace/scale/direct-{name}.bin",
            ["content_length"] = file.Length,
            ["conflict"] = "replace",
        });
        create.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var session = (await SendAsync(http, create, HttpStatusCode.Created, cancellationToken))["session"]!;
        var upload = new Uri(mock, $"v1/sandboxes/{sandbox}/uploads/{session["upload_id"]!.GetValue<string>()}/");
        await gate.CreatedAsync();
        var sha256 = file.PartSha256(partSize);
        var latencies = new double[sha256.Length];
        for (var index = 0; index < sha256.Length; index++)
        {
            var part = Part(HttpMethod.Put, new Uri(upload, "parts/" + I(index)), ServiceStack.SandboxKey, file, partSize, index);
            part.Headers.TryAddWithoutValidation("X-Part-SHA256", Convert.ToHexStringLower(sha256[index]));
            var sent = Stopwatch.GetTimestamp();
            await SendAsync(http, part, HttpStatusCode.OK, cancellationToken);
            latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }
        var complete = Request(HttpMethod.Post, new Uri(upload, "complete"), ServiceStack.SandboxKey, new JsonObject());
        complete.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        await SendAsync(http, complete, HttpStatusCode.OK, cancellationToken);
        return latencies;
    }

    /// <summary>One session through the gateways' v1 contract, its requests round-robin over the instances.</summary>
    private static async Task<double[]> ViaGatewaysAsync(HttpClient http, Uri[] gateways, int i, TestFile file, long partSize, string name, Gate gate, CancellationToken cancellationToken)
    {
        Uri At(int k, string path) => new(gateways[(i + k) % gateways.Length], path);
        var created = await SendAsync(http, Request(HttpMethod.Post, At(0, "v1/uploads"), ServiceStack.GatewayKey, new JsonObject
        {
            ["backend"] = "sandbox",
            ["target"] = new JsonObject { ["sandbox_id"] = ServiceStack.SandboxId, ["path"] = $"/workspace/scale/gateway-{name}.bin" },
            ["content_length"] = file.Length,
            ["conflict"] = "replace",
        }), HttpStatusCode.Created, cancellationToken);
        var id = created["upload_id"]!.GetValue<string>();
        await gate.CreatedAsync();
        var sha256 = file.PartSha256(partSize);
        var latencies = new double[sha256.Length];
        for (var index = 0; index < sha256.Length; index++)
        {
            var part = Part(HttpMethod.Put, At(index, $"v1/uploads/{id}/parts/{I(index + 1)}"), ServiceStack.GatewayKey, file, partSize, index);
            part.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{Convert.ToBase64String(sha256[index])}:");
            var sent = Stopwatch.GetTimestamp();
            await SendAsync(http, part, HttpStatusCode.OK, cancellationToken);
            latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }
        var completed = await SendAsync(http, Request(HttpMethod.Post, At(sha256.Length, $"v1/uploads/{id}/complete"), ServiceStack.GatewayKey,
            new JsonObject { ["checksum"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(file.Sha256) } }), HttpStatusCode.OK, cancellationToken);
        if (completed["status"]?.GetValue<string>() != "completed")
        {
            throw new BenchException($"A scale session did not complete: {completed.ToJsonString()}");
        }
        return latencies;
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri uri, string token, JsonNode body)
    {
        var request = new HttpRequestMessage(method, uri) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static HttpRequestMessage Part(HttpMethod method, Uri uri, string token, TestFile file, long partSize, int index)
    {
        var offset = index * partSize;
        var request = new HttpRequestMessage(method, uri) { Content = new FilePartContent(file.Handle, offset, Math.Min(partSize, file.Length - offset), ClientKind.DefaultWriteSize) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return request;
    }

    private static async Task<JsonNode> SendAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != expected)
            {
                throw new BenchException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {(text.Length <= 600 ? text : text[..600])}");
            }
            return JsonNode.Parse(text.Length == 0 ? "{}" : text) ?? new JsonObject();
        }
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int digits) => double.IsNaN(value) ? "" : value.ToString("F" + digits, CultureInfo.InvariantCulture);

    private sealed record ScaleResult
    {
        public required int Sessions { get; init; }

        public required string Path { get; init; }

        public int Repetition { get; init; }

        public required long Bytes { get; init; }

        public required double Seconds { get; init; }

        public required double[] PartMilliseconds { get; init; }

        public required double GatewayCpuSeconds { get; init; }

        public required double RedisCpuSeconds { get; init; }

        public required double MockCpuSeconds { get; init; }

        public required double ClientCpuSeconds { get; init; }

        public required double OtherCpuPercent { get; init; }

        public required int Errors { get; init; }

        public required string? FirstError { get; init; }

        /// <summary>Redis used_memory per live session, and the gateways' RSS per 1,000 live sessions (bytes), read once all N exist.</summary>
        public required double RedisBytesPerSession { get; init; }

        public required double RssPerThousand { get; init; }

        public double MegabytesPerSecond => Bytes / Seconds / 1e6;

        public double P50 => Stats.Quantile(PartMilliseconds, 0.5);

        public double P99 => Stats.Quantile(PartMilliseconds, 0.99);
    }
}
