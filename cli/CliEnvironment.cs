using Spectre.Console;

namespace UploadGateway.Cli;

/// <summary>
/// What the CLI talks to: its output, its error stream, its environment variables, and whether a person is
/// watching a terminal (progress bars) or output goes to a file or pipe (plain lines). Tests build their own.
/// </summary>
internal sealed record CliEnvironment(IAnsiConsole Out, TextWriter Error, Func<string, string?> Variables, bool Interactive)
{
    public const string UrlVariable = "GATEWAY_URL";
    public const string ApiKeyVariable = "GATEWAY_API_KEY";

    /// <summary>The process's own console: bars only when stdout is a terminal.</summary>
    public static CliEnvironment FromProcess()
    {
        var interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!interactive)
        {
            // Redirected output has no width; tables would wrap at 80 columns and split ids across lines.
            console.Profile.Width = 240;
        }
        return new CliEnvironment(console, Console.Error, Environment.GetEnvironmentVariable, interactive);
    }

    /// <summary>Writes text as is, never as Spectre markup (ids, paths and JSON may hold brackets).</summary>
    public void WriteLine(string text) => Out.Profile.Out.Writer.WriteLine(text);
}
