using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Bench.Uploads;

/// <summary>
/// Every part of one session sent by curl (issue 27's outside check): one <c>curl --parallel</c> process with
/// <i>c</i> transfers in flight, each part a <c>--upload-file</c> of the part's bytes (curl reads and writes 64 KiB at
/// a time), the same method, URL and headers the .NET client sends (digests included), <c>Expect</c> off as the .NET
/// client sends none. Each transfer's status and <c>time_total</c> come back through <c>--write-out</c>, its answer
/// through a file of its own. Everything is written before the timing starts.
/// </summary>
internal sealed class CurlParts
{
    private readonly UploadSession _session;
    private readonly string _directory;
    private readonly string _config;

    private CurlParts(UploadSession session, string directory, string config)
    {
        _session = session;
        _directory = directory;
        _config = config;
    }

    /// <summary>Writes the parts' files (once per part size) and the configuration curl reads.</summary>
    public static CurlParts Prepare(UploadSession session, TestFile file)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(file.Path)!, "curl-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var config = new StringBuilder();
        for (var index = 0; index < session.PartCount; index++)
        {
            using var request = session.PartRequest(index);
            var content = request.Content as FilePartContent ?? throw new BenchException("A part's body is not a part of the file.");
            config.Append("url = ").AppendLine(Quote(request.RequestUri!.AbsoluteUri));
            config.Append("request = ").AppendLine(Quote(request.Method.Method));
            config.Append("upload-file = ").AppendLine(Quote(file.PartFile(content.Offset, content.PartLength)));
            foreach (var (name, values) in request.Headers.NonValidated.Concat(content.Headers.NonValidated))
            {
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    config.Append("header = ").AppendLine(Quote($"{name}: {string.Join(", ", values)}"));
                }
            }
            config.Append("header = ").AppendLine(Quote("Expect:"));
            config.Append("output = ").AppendLine(Quote(Path.Combine(directory, Answer(index))));
            config.Append("write-out = ").AppendLine(Quote($"{index} %{{response_code}} %{{time_total}}\\n"));
            if (index + 1 < session.PartCount)
            {
                config.AppendLine("next");
            }
        }
        var path = Path.Combine(directory, "parts.curlrc");
        File.WriteAllText(path, config.ToString());
        return new CurlParts(session, directory, path);
    }

    /// <summary>Runs curl with <paramref name="concurrency"/> transfers in flight; fills each part's latency (ms).</summary>
    public async Task RunAsync(int concurrency, double[] latencies, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--silent", "--show-error", "--no-progress-meter", "--http1.1", "--parallel", "--parallel-immediate",
            "--parallel-max", concurrency.ToString(CultureInfo.InvariantCulture), "--config", _config,
        })
        {
            info.ArgumentList.Add(argument);
        }
        using var curl = Process.Start(info) ?? throw new BenchException("Could not start curl.");
        var output = curl.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = curl.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await curl.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            curl.Kill();
            throw;
        }
        if (curl.ExitCode != 0)
        {
            throw new BenchException($"curl exited with {curl.ExitCode}: {await errors}");
        }
        var seen = 0;
        foreach (var line in (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var index = int.Parse(fields[0], CultureInfo.InvariantCulture);
            var status = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var answer = File.ReadAllText(Path.Combine(_directory, Answer(index)));
            if (status != (int)_session.PartStatus)
            {
                throw new BenchException($"curl: part {index} answered {status}: {answer}");
            }
            latencies[index] = 1000 * double.Parse(fields[2], CultureInfo.InvariantCulture);
            _session.PartAnswered(index, answer.Length == 0 ? new JsonObject() : JsonNode.Parse(answer) ?? new JsonObject());
            seen++;
        }
        if (seen != _session.PartCount)
        {
            throw new BenchException($"curl reported {seen} of {_session.PartCount} parts.");
        }
    }

    /// <summary>Deletes the configuration and the answers (the parts' files stay for the next upload).</summary>
    public void Delete() => Directory.Delete(_directory, recursive: true);

    private static string Answer(int index) => $"answer-{index.ToString(CultureInfo.InvariantCulture)}.json";

    /// <summary>A value in curl's configuration syntax: double quotes, with backslash and quote escaped.</summary>
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
