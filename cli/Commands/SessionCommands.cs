using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using UploadGateway.Cli.Output;
using UploadGateway.Client;

namespace UploadGateway.Cli.Commands;

/// <summary><c>upload status</c>, <c>upload ls</c>, <c>upload abort</c>, <c>upload backends</c>: the control plane.</summary>
internal static class SessionCommands
{
    public static Command Status(GlobalOptions global, CliEnvironment environment)
    {
        var id = new Argument<string>("upload-id") { Description = "The upload (up_…)" };
        var command = new Command("status", "Show an upload's state: progress, missing parts, result") { id };
        command.SetAction((parse, cancellationToken) => Cli.RunAsync(parse, global, environment, async client =>
        {
            var session = await client.GetUploadAsync(parse.GetRequiredValue(id), cancellationToken);
            if (parse.GetValue(global.Json))
            {
                CliJson.Write(environment, session, CliJson.Default.UploadSession);
            }
            else
            {
                environment.Out.Write(Describe(session));
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    public static Command List(GlobalOptions global, CliEnvironment environment)
    {
        var status = new Option<string?>("--status") { Description = "Only uploads in this status (created, uploading, staged, completing, completed, aborted, expired, failed)" };
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first (1-100)", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100)
            {
                result.AddError("--limit must be from 1 to 100.");
            }
        });
        var cursor = new Option<string?>("--cursor") { Description = "Continue after the page that printed this cursor" };
        var command = new Command("ls", "List your uploads, newest first") { status, limit, cursor };
        command.SetAction((parse, cancellationToken) => Cli.RunAsync(parse, global, environment, async client =>
        {
            var page = await client.ListUploadsAsync(
                new UploadListQuery { Status = parse.GetValue(status), Limit = parse.GetValue(limit), Cursor = parse.GetValue(cursor) }, cancellationToken);
            if (parse.GetValue(global.Json))
            {
                CliJson.Write(environment, page, CliJson.Default.UploadsPage);
                return ExitCodes.Ok;
            }
            if (page.Uploads.Count == 0)
            {
                environment.WriteLine("no uploads");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("upload", "status", "backend", "target", "progress", "size", "updated");
            foreach (var s in page.Uploads)
            {
                table.AddRow(
                    Cell(s.UploadId), Cell(s.Status), Cell(s.Backend), Cell(Format.Target(s.Target)),
                    Cell($"{Format.Percent(s.AcceptedBytes, s.ContentLength)} ({s.PartsReceived}/{s.PartCount} parts)"),
                    Cell(Format.Bytes(s.ContentLength)), Cell(Format.Time(s.UpdatedAt)));
            }
            environment.Out.Write(table);
            if (page.NextCursor is { } next)
            {
                environment.WriteLine($"more: upload ls --cursor {next}");
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    public static Command Abort(GlobalOptions global, CliEnvironment environment)
    {
        var id = new Argument<string>("upload-id") { Description = "The upload (up_…)" };
        var command = new Command("abort", "Abort an upload: the backend drops what it received, reservations are released") { id };
        command.SetAction((parse, cancellationToken) => Cli.RunAsync(parse, global, environment, async client =>
        {
            var uploadId = parse.GetRequiredValue(id);
            await client.AbortAsync(uploadId, cancellationToken);
            if (parse.GetValue(global.Json))
            {
                CliJson.Write(environment, await client.GetUploadAsync(uploadId, cancellationToken), CliJson.Default.UploadSession);
            }
            else
            {
                environment.WriteLine($"aborted {uploadId}");
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    public static Command Backends(GlobalOptions global, CliEnvironment environment)
    {
        var command = new Command("backends", "List the backends you may upload to, with their rules");
        command.SetAction((parse, cancellationToken) => Cli.RunAsync(parse, global, environment, async client =>
        {
            var backends = await client.GetBackendsAsync(cancellationToken);
            if (parse.GetValue(global.Json))
            {
                CliJson.Write(environment, new BackendsDocument(backends), CliJson.Default.BackendsDocument);
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("backend", "type", "kinds", "target options", "conflict", "min size", "part digests", "complete digests", "max concurrency");
            foreach (var b in backends)
            {
                table.AddRow(
                    Cell(b.Name), Cell(b.Type), Cell(string.Join(", ", b.Kinds)), Cell(TargetOptions(b)), Cell(string.Join(", ", b.Conflicts)),
                    Cell(b.MinUploadBytes == 0 ? "-" : b.MinUploadBytes.ToString("N0", CultureInfo.InvariantCulture) + " B"),
                    Cell(string.Join(", ", b.ChecksumsRequired.Part.DefaultIfEmpty("-"))),
                    Cell(string.Join(", ", b.ChecksumsRequired.Complete.DefaultIfEmpty("-"))),
                    Cell(b.Limits.MaxConcurrency.ToString(CultureInfo.InvariantCulture)));
            }
            environment.Out.Write(table);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>A backend's target fields as this CLI's options, so the table says what to type.</summary>
    private static string TargetOptions(BackendInfo backend) => string.Join(" ", backend.TargetFields.Select(field => field switch
    {
        "sandbox_id" => "--sandbox",
        "path" => "--path",
        "user" => "[--user]",
        "folder_id" => "--folder",
        "file_name" => "--name",
        "file_id" => "| --file-id",
        _ => field,
    }));

    private static Table Describe(UploadSession s)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders().AddColumns("field", "value");
        void Row(string field, string value) => table.AddRow(Cell(field), Cell(value));
        Row("upload", s.UploadId);
        Row("status", s.Status);
        Row("backend", $"{s.Backend} ({s.BackendType})");
        Row("target", Format.Target(s.Target));
        Row("kind", s.Kind);
        Row("conflict", s.Conflict);
        Row("progress", $"{Format.Percent(s.AcceptedBytes, s.ContentLength)}: {s.AcceptedBytes:N0} of {s.ContentLength:N0} bytes");
        Row("parts", $"{s.PartsReceived} of {s.PartCount} received, {s.PartsInFlight} in flight, part size {s.PartSize:N0}");
        Row("missing", s.MissingParts.Length == 0 ? "none" : s.MissingParts);
        Row("next part", s.NextPart?.ToString(CultureInfo.InvariantCulture) ?? "-");
        Row("max concurrency", s.MaxConcurrency.ToString(CultureInfo.InvariantCulture));
        Row("created", Format.Time(s.CreatedAt));
        Row("updated", Format.Time(s.UpdatedAt));
        Row("expires", Format.Time(s.ExpiresAt));
        if (s.Result is not null)
        {
            Row("result", Format.Result(s));
        }
        return table;
    }

    /// <summary>Data is never markup: ids and paths may hold brackets.</summary>
    private static Spectre.Console.Text Cell(string value) => new(value);
}
