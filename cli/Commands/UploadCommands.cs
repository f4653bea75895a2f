using System.CommandLine;
using UploadGateway.Cli.Output;
using UploadGateway.Client;

namespace UploadGateway.Cli.Commands;

/// <summary><c>upload put</c> and <c>upload resume</c>: whole uploads with progress.</summary>
internal static class UploadCommands
{
    public static Command Put(GlobalOptions global, CliEnvironment environment)
    {
        var source = new Argument<string>("source") { Description = "The file to upload, or a directory (sent as a tar archive, unpacked at --path; sandbox backends)" };
        var backend = new Option<string>("--backend", "-b") { Description = "Backend name, as `upload backends` lists them", Required = true };
        var sandbox = new Option<string?>("--sandbox") { Description = "Sandbox targets: the sandbox id (sb_…)" };
        var path = new Option<string?>("--path") { Description = "Sandbox targets: the absolute path of the file, or of the directory an archive unpacks to" };
        var user = new Option<string?>("--user") { Description = "Sandbox targets: the Linux user that owns the file" };
        var folder = new Option<string?>("--folder") { Description = "Box targets: the folder of a new file (0 is the root; the default when only --name is given)" };
        var name = new Option<string?>("--name") { Description = "Box targets: the new file's name (default: the local file's name)" };
        var fileId = new Option<string?>("--file-id") { Description = "Box targets: upload a new version of this file" };
        var conflict = new Option<string>("--conflict")
        {
            Description = "When the target exists: error, replace, or merge (directories)",
            DefaultValueFactory = _ => ConflictPolicies.Error,
        };
        conflict.AcceptOnlyFromAmong(ConflictPolicies.Error, ConflictPolicies.Replace, ConflictPolicies.Merge);
        var concurrency = Concurrency();

        var command = new Command("put", "Upload a file or a directory")
        {
            source, backend, sandbox, path, user, folder, name, fileId, conflict, concurrency,
        };
        command.SetAction((parse, cancellationToken) => Cli.RunAsync(parse, global, environment, async client =>
        {
            var local = parse.GetRequiredValue(source);
            var isDirectory = Directory.Exists(local);
            if (!isDirectory && !File.Exists(local))
            {
                throw new FileNotFoundException($"No file or directory '{local}'.", local);
            }
            var target = Target(parse.GetValue(sandbox), parse.GetValue(path), parse.GetValue(user),
                parse.GetValue(folder), parse.GetValue(name), parse.GetValue(fileId), local, isDirectory);
            var destination = new UploadDestination(parse.GetRequiredValue(backend), target, parse.GetRequiredValue(conflict));
            var options = new FileUploadOptions { MaxConcurrency = parse.GetValue(concurrency) };
            var view = new UploadView(environment, parse.GetValue(global.Json), Path.GetFullPath(local));
            var session = await Resumable(view, () => view.RunAsync(options, o => isDirectory
                ? client.UploadDirectoryAsync(local, destination, o, cancellationToken)
                : client.UploadFileAsync(local, destination, o, cancellationToken)));
            return Finish(parse, global, environment, session);
        }, cancellationToken));
        return command;
    }

    public static Command Resume(GlobalOptions global, CliEnvironment environment)
    {
        var id = new Argument<string>("upload-id") { Description = "The upload to continue (up_…)" };
        var source = new Argument<string>("source") { Description = "The same file (or directory) the upload was started with" };
        var concurrency = Concurrency();
        var command = new Command("resume", "Continue an interrupted upload: sends only the parts the gateway is missing, then completes it")
        {
            id, source, concurrency,
        };
        command.SetAction((parse, cancellationToken) => Cli.RunAsync(parse, global, environment, async client =>
        {
            var local = parse.GetRequiredValue(source);
            if (!File.Exists(local) && !Directory.Exists(local))
            {
                throw new FileNotFoundException($"No file or directory '{local}'.", local);
            }
            var options = new FileUploadOptions { MaxConcurrency = parse.GetValue(concurrency) };
            var view = new UploadView(environment, parse.GetValue(global.Json), Path.GetFullPath(local));
            var session = await Resumable(view, () => view.RunAsync(options, o => client.ResumeAsync(parse.GetRequiredValue(id), local, o, cancellationToken)));
            return Finish(parse, global, environment, session);
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// An upload stopped by Ctrl-C or by an unavailable gateway after its session exists can be continued:
    /// the failure is reported with the command that does it. So can one whose target turned out to exist at
    /// complete: the backend keeps it staged, to be completed once the target is gone (or aborted).
    /// </summary>
    private static async Task<UploadSession> Resumable(UploadView view, Func<Task<UploadSession>> upload)
    {
        try
        {
            return await upload();
        }
        catch (Exception e) when (view.UploadId is not null
            && (ExitCodes.For(e) is ExitCodes.Interrupted or ExitCodes.Unavailable || e is GatewayException { Code: ErrorCodes.Conflict }))
        {
            throw new ResumableException(view.UploadId, view.ResumeCommand, e);
        }
    }

    private static Option<int> Concurrency()
    {
        var option = new Option<int>("--concurrency", "-j")
        {
            Description = "Parts in flight at once (the session's max_concurrency caps it)",
            DefaultValueFactory = _ => 4,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 64)
            {
                result.AddError("--concurrency must be from 1 to 64.");
            }
        });
        return option;
    }

    private static int Finish(ParseResult parse, GlobalOptions global, CliEnvironment environment, UploadSession session)
    {
        if (parse.GetValue(global.Json))
        {
            CliJson.Write(environment, session, CliJson.Default.UploadSession);
        }
        return session.Status == UploadStatuses.Completed ? ExitCodes.Ok : ExitCodes.Conflict;
    }

    /// <summary>The target from the options; which ones are given decides the kind of target (the gateway checks it against the backend's type).</summary>
    internal static UploadTarget Target(string? sandbox, string? path, string? user, string? folder, string? name, string? fileId, string local, bool isDirectory)
    {
        var forSandbox = sandbox is not null || path is not null || user is not null;
        var forBox = folder is not null || name is not null || fileId is not null;
        if (forSandbox && forBox)
        {
            throw new UsageException("Give a sandbox target (--sandbox, --path, --user) or a Box target (--folder, --name, --file-id), not both.");
        }
        if (forSandbox)
        {
            if (sandbox is null || path is null)
            {
                throw new UsageException("A sandbox target needs --sandbox <id> and --path <absolute path>.");
            }
            return UploadTarget.Sandbox(sandbox, path, user);
        }
        if (isDirectory)
        {
            throw new UsageException("A directory goes to a sandbox backend, as an archive: give --sandbox <id> --path <directory>.");
        }
        if (fileId is not null)
        {
            if (folder is not null)
            {
                throw new UsageException("Give --folder (a new file) or --file-id (a new version), not both.");
            }
            return UploadTarget.BoxFile(fileId, name);
        }
        if (forBox)
        {
            return UploadTarget.BoxFolder(folder ?? "0", name ?? Path.GetFileName(Path.GetFullPath(local)));
        }
        throw new UsageException("Where to? Give --sandbox <id> --path <path> for sandbox backends, or --folder <id> [--name <name>] / --file-id <id> for Box.");
    }
}
