using System.Globalization;
using Spectre.Console;
using UploadGateway.Client;

namespace UploadGateway.Cli.Output;

/// <summary>
/// Shows an upload while it runs: a live progress bar with throughput and ETA on a terminal; plain lines
/// (at most one a second, plus the start, each phase and the end) when output is redirected; nothing but a
/// start line on stderr with <c>--json</c>, whose stdout is the final document alone.
/// </summary>
internal sealed class UploadView(CliEnvironment environment, bool json, string resumePath)
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(1);

    /// <summary>The upload's id once its session is known; failures after that can say how to resume.</summary>
    public string? UploadId { get; private set; }

    /// <summary>The command that continues this upload.</summary>
    public string ResumeCommand => $"upload resume {UploadId} {Quote(resumePath)}";

    /// <summary>Runs <paramref name="upload"/> with the display wired into its options.</summary>
    public Task<UploadSession> RunAsync(FileUploadOptions options, Func<FileUploadOptions, Task<UploadSession>> upload) =>
        json ? upload(options with { Started = Started })
        : environment.Interactive ? WithBarAsync(options, upload)
        : WithLinesAsync(options, upload);

    private async Task<UploadSession> WithBarAsync(FileUploadOptions options, Func<FileUploadOptions, Task<UploadSession>> upload)
    {
        var session = await environment.Out.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = 24 },
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask("starting", maxValue: 1);
                var lastPhase = UploadPhase.Uploading;
                var lastRetries = 0;
                return await upload(options with
                {
                    Started = session =>
                    {
                        // Written through the console, the lines land above the live bar (Spectre's render hook).
                        Started(session);
                        bar.MaxValue = Math.Max(1, session.ContentLength);
                        bar.Value = session.AcceptedBytes;
                        bar.Description = "uploading";
                    },
                    Progress = new Reporter(p =>
                    {
                        // Workers report concurrently, so snapshots can arrive out of order: the bar only moves forward.
                        bar.Value = Math.Max(bar.Value, p.BytesUploaded);
                        if (p.Phase != lastPhase || p.Retries != lastRetries)
                        {
                            (lastPhase, lastRetries) = (p.Phase, p.Retries);
                            bar.Description = p.Phase.ToString().ToLowerInvariant() + (p.Retries > 0 ? $" ({p.Retries} retries)" : "");
                        }
                    }),
                });
            });
        environment.WriteLine($"completed {session.UploadId}: {Format.Result(session)}");
        return session;
    }

    private async Task<UploadSession> WithLinesAsync(FileUploadOptions options, Func<FileUploadOptions, Task<UploadSession>> upload)
    {
        long? last = null;
        var lastPhase = UploadPhase.Uploading;
        var gate = new Lock();
        var session = await upload(options with
        {
            Started = Started,
            Progress = new Reporter(p =>
            {
                lock (gate)
                {
                    var now = TimeProvider.System.GetTimestamp();
                    if (p.Phase == lastPhase && last is { } then && TimeProvider.System.GetElapsedTime(then, now) < PlainInterval)
                    {
                        return;
                    }
                    last = now;
                    lastPhase = p.Phase;
                    environment.WriteLine(p.Phase == UploadPhase.Uploading ? Line(p) : $"{p.UploadId} {p.Phase.ToString().ToLowerInvariant()}");
                }
            }),
        });
        environment.WriteLine($"completed {session.UploadId}: {Format.Result(session)}");
        return session;
    }

    private void Started(UploadSession session)
    {
        UploadId = session.UploadId;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"upload {session.UploadId}: {Format.Bytes(session.ContentLength)} to {session.Backend} {Format.Target(session.Target)}, {session.PartCount} parts of {Format.Bytes(session.PartSize)}");
        var resume = "resume with: " + ResumeCommand;
        if (json)
        {
            environment.Error.WriteLine(line);
            environment.Error.WriteLine(resume);
        }
        else
        {
            environment.Out.Write(new Text(line + Environment.NewLine + resume + Environment.NewLine));
        }
    }

    private static string Line(UploadProgress p)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{p.UploadId} {Format.Percent(p.BytesUploaded, p.TotalBytes),4} {Format.Bytes(p.BytesUploaded)}/{Format.Bytes(p.TotalBytes)} parts {p.PartsDone}/{p.PartCount} {Format.Bytes(p.BytesPerSecond)}/s eta {Format.Duration(p.Remaining)}");
        return p.Retries > 0 ? line + $" retries {p.Retries}" : line;
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) || path.Contains('\'', StringComparison.Ordinal)
        ? "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
        : path;

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/>, which would post reports to the thread pool and reorder them further.</summary>
    private sealed class Reporter(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }
}
