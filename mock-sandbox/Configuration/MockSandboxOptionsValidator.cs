using Microsoft.Extensions.Options;
using MockSandbox.Sandboxes;

namespace MockSandbox.Configuration;

/// <summary>Checked at start-up (<c>ValidateOnStart</c>): a bad configuration stops the mock with every problem named.</summary>
internal sealed class MockSandboxOptionsValidator : IValidateOptions<MockSandboxOptions>
{
    private static readonly Dictionary<string, string> s_keys = new()
    {
        [SandboxSettings.Fields.PartSize] = nameof(MockSandboxOptions.PartSize),
        [SandboxSettings.Fields.MaxConcurrency] = nameof(MockSandboxOptions.MaxConcurrency),
        [SandboxSettings.Fields.SessionTtl] = nameof(MockSandboxOptions.SessionTtl),
        [SandboxSettings.Fields.MaxUploadBytes] = "Limits:" + nameof(LimitsOptions.MaxUploadBytes),
        [SandboxSettings.Fields.MaxPartBytes] = "Limits:" + nameof(LimitsOptions.MaxPartBytes),
        [SandboxSettings.Fields.StagingQuotaBytes] = "Limits:" + nameof(LimitsOptions.SandboxStagingQuotaBytes),
    };

    public ValidateOptionsResult Validate(string? name, MockSandboxOptions options)
    {
        var failures = new List<string>();
        const string Section = MockSandboxOptions.SectionName;
        if (options.ApiKeys.Count == 0 || options.ApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{Section}:ApiKeys must list at least one key, and no empty ones.");
        }
        foreach (var id in options.Sandboxes.Where(id => !SandboxIds.IsValid(id)))
        {
            failures.Add($"{Section}:Sandboxes: '{id}' is not a sandbox id ({SandboxIds.Format}).");
        }
        foreach (var id in options.Sandboxes.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            failures.Add($"{Section}:Sandboxes lists '{id}' more than once.");
        }
        if (options.DataDirectory is { } directory && string.IsNullOrWhiteSpace(directory))
        {
            failures.Add($"{Section}:DataDirectory is empty; leave it unset for a temporary folder.");
        }
        // The same rules as /_mock/sandboxes applies, reported under the configuration's own key names.
        failures.AddRange(SandboxSettings.FromOptions(options).Problems().Select(p => $"{Section}:{s_keys[p.Field]}: {p.Message}"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
