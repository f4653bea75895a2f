using System.CommandLine;
using UploadGateway.Client;

namespace UploadGateway.Cli.Commands;

/// <summary>Options every command takes: where the gateway is, the credential, and the output format.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"Gateway address [env {CliEnvironment.UrlVariable}, default {DefaultUrl}]",
        Recursive = true,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key or JWT [env {CliEnvironment.ApiKeyVariable}]",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document (the session, list or error) instead of text and progress",
        Recursive = true,
    };

    public Option<int> Retries { get; } = new("--retries")
    {
        Description = "Retries of each request on 429/503 answers, lost connections and timeouts, with back-off (honouring Retry-After)",
        DefaultValueFactory = _ => 5,
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        Retries.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 100)
            {
                result.AddError("--retries must be from 0 to 100.");
            }
        });
        root.Options.Add(Retries);
        root.Options.Add(Url);
        root.Options.Add(ApiKey);
        root.Options.Add(Json);
    }

    /// <summary>Flags first, then the environment; a missing key or a malformed URL is a usage error.</summary>
    public GatewayClient CreateClient(ParseResult parse, CliEnvironment environment)
    {
        var url = parse.GetValue(Url) ?? NonEmpty(environment.Variables(CliEnvironment.UrlVariable)) ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"The gateway URL '{url}' is not an absolute http(s) URL (--url or {CliEnvironment.UrlVariable}).");
        }
        var key = parse.GetValue(ApiKey) ?? NonEmpty(environment.Variables(CliEnvironment.ApiKeyVariable))
            ?? throw new UsageException($"No API key: set {CliEnvironment.ApiKeyVariable} or pass --api-key.");
        return new GatewayClient(new GatewayClientOptions
        {
            BaseAddress = address,
            ApiKey = key,
            Retry = new RetryOptions { MaxAttempts = parse.GetValue(Retries) + 1 },
        });
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>The command line itself is wrong: exit code <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>An upload that stopped but can be continued with <see cref="ResumeCommand"/>; its cause decides the exit code.</summary>
internal sealed class ResumableException(string uploadId, string resumeCommand, Exception cause) : Exception(cause.Message, cause)
{
    public string UploadId { get; } = uploadId;

    public string ResumeCommand { get; } = resumeCommand;
}
