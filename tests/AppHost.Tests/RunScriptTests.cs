using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using AppHost.Tests.Support;
using TestSupport;

namespace AppHost.Tests;

/// <summary>
/// <c>./run</c> as a user runs it: it builds, starts the AppHost, says Ready once the gateway answers /readyz on
/// 5080, and on Ctrl-C (SIGINT to its whole process group, as a terminal sends it) or TERM leaves nothing running.
/// It needs the README's fixed ports, so it is skipped, with the reason, while something else holds one of them.
/// </summary>
[Collection(nameof(WholeSystem))]
public sealed partial class RunScriptTests
{
    private static readonly int[] Ports = [5080, 5081, 5082, 5083, 5090, 18888, 18889, 18890];

    [RunScriptFact]
    public Task Run_serves_the_gateway_on_5080_and_the_dashboard_and_ctrl_c_leaves_nothing_running() =>
        // Without the S3 backend: the next test covers it (and needs radosgw).
        RunAsync(s3: "none", (output, _) =>
        {
            Assert.Contains("S3: none (GATEWAY_S3=none).", output, StringComparison.Ordinal);
            return Task.CompletedTask;
        });

    [RunScriptFact(NeedsRgw = true)]
    public Task Run_adds_an_s3_backend_on_a_ceph_rgw_of_its_own_that_an_upload_lands_in_byte_exact_and_ctrl_c_stops_it() =>
        RunAsync(s3: null, async (output, ct) =>
        {
            Assert.Contains("S3: backend 'objects', bucket 'uploads' of a one-node Ceph RGW run by the AppHost", output, StringComparison.Ordinal);
            var bytes = new byte[6 * 1024 * 1024 + 321]; // two parts of S3's 5 MiB minimum, the last one short
            Random.Shared.NextBytes(bytes);
            var key = $"run-test/{Guid.NewGuid():N}.bin";

            // ./run's demo command: a tus creation with the whole body, to the dev tenant's backend "objects".
            using var http = new HttpClient();
            using var create = new HttpRequestMessage(HttpMethod.Post, new Uri("http://127.0.0.1:5080/tus/"))
            {
                Content = new ByteArrayContent(bytes),
            };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "dev-gateway-key");
            create.Headers.Add("Tus-Resumable", "1.0.0");
            create.Headers.Add("Upload-Length", bytes.Length.ToString(CultureInfo.InvariantCulture));
            create.Headers.Add("Upload-Metadata", $"backend {Base64("objects")},key {Base64(key)}");
            create.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
            using (var created = await http.SendAsync(create, ct))
            {
                Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /tus/ with the body: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
                Assert.Equal(bytes.Length.ToString(CultureInfo.InvariantCulture), created.Headers.GetValues("Upload-Offset").Single());
            }

            // Read back from the store itself (5083, the credentials ./run prints), not through the gateway.
            using var s3 = new AmazonS3Client(new BasicAWSCredentials("devs3access", "dev-s3-secret-key"), new AmazonS3Config
            {
                ServiceURL = "http://127.0.0.1:5083",
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
            using var stored = await s3.GetObjectAsync("uploads", key, ct);
            using var copy = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(copy, ct);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()), $"the bucket holds {copy.Length} other bytes under {key} than the {bytes.Length} uploaded");
        });

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Starts ./run (GATEWAY_S3 set to <paramref name="s3"/>, or left to its default), waits for Ready, checks the
    /// gateway and the dashboard, runs <paramref name="whileReady"/> with ./run's output, then sends Ctrl-C and
    /// checks that nothing of the run is left: no process, no port, no RGW folder under .run/.
    /// </summary>
    private static async Task RunAsync(string? s3, Func<string, CancellationToken, Task> whileReady)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        // A shell that ignores SIGINT hands that on to every child; a terminal's Ctrl-C is then impossible to
        // imitate, and TERM (which ./run treats the same) is what can be sent.
        var signal = SigIntIgnoredHere() ? "TERM" : "INT";
        var runId = Guid.NewGuid().ToString("N");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var info = new ProcessStartInfo("setsid") // its own process group, as a terminal's foreground job has
        {
            WorkingDirectory = SharedSpecs.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("./run");
        info.Environment["RUN_ID"] = runId;
        info.Environment["RUN_CONFIGURATION"] = configuration;
        info.Environment.Remove("Gateway__Store__Redis");
        info.Environment.Remove("GATEWAY_STORE");
        foreach (var variable in info.Environment.Keys.Where(k => k.StartsWith("Gateway__Backends__", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(variable);
        }
        if (s3 is null)
        {
            info.Environment.Remove("GATEWAY_S3");
        }
        else
        {
            info.Environment["GATEWAY_S3"] = s3;
        }
        var rgwFoldersBefore = RgwFolders();

        using var run = Process.Start(info)!;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.Contains("Ctrl-C stops everything.", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        run.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
        try
        {
            var exited = run.WaitForExitAsync();
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(6)));
            Assert.True(first == ready.Task, "./run did not say Ready:\n" + Output());

            using var http = new HttpClient();
            using (var readyz = await http.GetAsync(new Uri("http://127.0.0.1:5080/readyz")))
            {
                Assert.True(readyz.IsSuccessStatusCode, $"/readyz through 5080: {(int)readyz.StatusCode}");
            }
            var login = DashboardLogin().Match(Output());
            Assert.True(login.Success, "./run printed no dashboard login URL:\n" + Output());
            using (var dashboard = await http.GetAsync(new Uri(login.Value)))
            {
                Assert.True(dashboard.IsSuccessStatusCode, $"{login.Value}: {(int)dashboard.StatusCode}");
            }
            Assert.NotEmpty(Orchestrator.ProcessesWith("UPLOAD_GATEWAY_RUN", runId));
            await whileReady(Output(), timeout.Token);

            Signal(signal, -run.Id);
            first = await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(2)));
            Assert.True(first == exited, $"./run was still running two minutes after SIG{signal}:\n" + Output());
            Assert.Equal(signal == "INT" ? 130 : 143, run.ExitCode);
            Assert.Contains("stopped: nothing of this run is left running", Output());
            // ./run waits for them itself: nothing may be left by the time it has exited.
            var left = Orchestrator.ProcessesWith("UPLOAD_GATEWAY_RUN", runId);
            Assert.True(left.Count == 0, $"still running after ./run exited:\n{string.Join("\n", left)}\n{Output()}");
            Assert.All(Ports, port => Assert.False(Listening(port), $"port {port} still answers after ./run exited"));
            var rgwLeft = RgwFolders().Except(rgwFoldersBefore).ToList();
            Assert.True(rgwLeft.Count == 0, $"the RGW's folder is still there after ./run exited: {string.Join(", ", rgwLeft)}");
        }
        finally
        {
            if (!run.HasExited)
            {
                Signal("TERM", -run.Id);
                await run.WaitForExitAsync();
            }
            foreach (var survivor in Orchestrator.ProcessesWith("UPLOAD_GATEWAY_RUN", runId))
            {
                Signal("KILL", int.Parse(survivor.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static string[] RgwFolders()
    {
        var state = Path.Combine(SharedSpecs.RepositoryRoot, ".run");
        return Directory.Exists(state) ? Directory.GetDirectories(state, "rgw.*") : [];
    }

    internal static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool SigIntIgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var ignored = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (ignored & (1UL << (2 - 1))) != 0;
    }

    private static void Signal(string signal, int target)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, "--", target.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:18888/login\?t=[0-9a-f]{32}")]
    private static partial Regex DashboardLogin();
}

/// <summary>Skipped, with the reason, where the orchestrator cannot start or one of ./run's fixed ports is taken.</summary>
public sealed class RunScriptFactAttribute : FactAttribute
{
    public RunScriptFactAttribute()
    {
        if (Orchestrator.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (new[] { 5080, 5081, 5082, 5083, 5090, 18888, 18889, 18890 }.FirstOrDefault(RunScriptTests.Listening) is var taken and not 0)
        {
            Skip = $"port {taken} on 127.0.0.1 is in use (a ./run already running?), and ./run needs it.";
        }
    }

    /// <summary>The test needs Ceph's RADOS Gateway, which ./run starts when it is installed; skipped, with how to install it, where it is not.</summary>
    public bool NeedsRgw
    {
        get => field;
        set
        {
            field = value;
            if (value && Skip is null && CephRgw.SkipReason is { } reason)
            {
                Skip = reason;
            }
        }
    }
}
