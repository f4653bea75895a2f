using System.ComponentModel.DataAnnotations;

namespace Gateway.Uploads;

/// <summary><c>Gateway:Completion</c>: how long a complete request waits for its commit before answering 202.</summary>
internal sealed class CompletionOptions
{
    public const string Section = "Gateway:Completion";

    /// <summary>
    /// A commit still running after this long goes on in the background and the request answers 202 with
    /// <c>Retry-After</c>: below the read timeouts of the clients and proxies in front (60 s for nginx, 100 s for .NET's HttpClient).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The <c>Retry-After</c> of that 202, and of a complete that finds the commit running on another instance.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
