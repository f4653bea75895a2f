using System.CommandLine;
using UploadGateway.Cli.Commands;
using UploadGateway.Cli.Output;
using UploadGateway.Client;

namespace UploadGateway.Cli;

/// <summary>The <c>upload</c> command line: parsing, the commands, and one place that turns failures into exit codes.</summary>
internal static class Cli
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var global = new GlobalOptions();
        var root = new RootCommand(
            "Upload files and directories through the upload gateway, with progress, parallel parts and resume.\n"
            + "Exit codes: 0 done, 1 internal error, 2 usage, 3 unauthorized, 4 not found, 5 rejected (400/413/422), "
            + "6 conflict or state (409/410), 7 unavailable (resumable), 8 local file, 130 interrupted (resumable).")
        {
            UploadCommands.Put(global, environment),
            UploadCommands.Resume(global, environment),
            SessionCommands.Status(global, environment),
            SessionCommands.List(global, environment),
            SessionCommands.Abort(global, environment),
            SessionCommands.Backends(global, environment),
        };
        global.AddTo(root);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine's own parse-error exit code is 1, which here means "internal error".
            foreach (var error in parse.Errors)
            {
                environment.Error.WriteLine(error.Message);
            }
            environment.Error.WriteLine("Run 'upload --help' (or 'upload <command> --help') for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = environment.Out.Profile.Out.Writer, Error = environment.Error }, cancellationToken);
    }

    /// <summary>Runs one command's work with a client, and reports any failure as text or as <c>--json</c>.</summary>
    public static async Task<int> RunAsync(ParseResult parse, GlobalOptions global, CliEnvironment environment,
        Func<GatewayClient, Task<int>> work, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(global.Json);
        try
        {
            using var client = global.CreateClient(parse, environment);
            return await work(client);
        }
        catch (Exception e) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            return Report(e, json, environment);
        }
    }

    private static int Report(Exception e, bool json, CliEnvironment environment)
    {
        var resumable = e as ResumableException;
        e = resumable?.InnerException ?? e;
        var (exitCode, kind) = e switch
        {
            UsageException => (ExitCodes.Usage, "usage"),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            _ => (ExitCodes.For(e), KindOf(ExitCodes.For(e))),
        };
        var gateway = e as GatewayException;
        var uploadId = resumable?.UploadId ?? gateway?.UploadId ?? (e as UploadContentMismatchException)?.UploadId;
        var message = e switch
        {
            OperationCanceledException => "interrupted",
            HttpRequestException { InnerException: { } inner } http => $"{http.Message} ({inner.Message})",
            _ when exitCode == ExitCodes.Internal => e.ToString(),
            _ => e.Message,
        };
        if (json)
        {
            CliJson.Write(environment,
                new ErrorDocument(new ErrorDetail(exitCode, kind, message, gateway?.Code, gateway is null ? null : (int)gateway.Status, uploadId,
                    gateway?.TraceId, resumable?.ResumeCommand)),
                CliJson.Default.ErrorDocument);
        }
        else
        {
            environment.Error.WriteLine($"error: {message}");
            if (resumable is not null)
            {
                environment.Error.WriteLine($"resume with: {resumable.ResumeCommand}");
                environment.Error.WriteLine($"or give it up: upload abort {resumable.UploadId}");
            }
        }
        return exitCode;
    }

    private static string KindOf(int exitCode) => exitCode switch
    {
        ExitCodes.Unauthorized => "unauthorized",
        ExitCodes.NotFound => "not_found",
        ExitCodes.Rejected => "rejected",
        ExitCodes.Conflict => "conflict",
        ExitCodes.Unavailable => "unavailable",
        ExitCodes.LocalContent => "local_content",
        ExitCodes.Interrupted => "interrupted",
        _ => "internal",
    };
}
