using MockSandbox.Configuration;
using MockSandbox.Errors;

namespace MockSandbox.Sandboxes;

/// <summary>
/// What the server chooses for a sandbox's new sessions [doc: "The server chooses part_size,
/// max_concurrency and expires_at"], plus its limits. Start-up options give every sandbox the same;
/// <c>/_mock/sandboxes</c> changes one. Sessions keep the values they were created with.
/// </summary>
internal sealed record SandboxSettings(
    long PartSize,
    int MaxConcurrency,
    TimeSpan SessionTtl,
    long MaxUploadBytes,
    long MaxPartBytes,
    long StagingQuotaBytes)
{
    /// <summary>The wire names of the settings, as the <c>/_mock/</c> surface spells them.</summary>
    public static class Fields
    {
        public const string PartSize = "part_size";
        public const string MaxConcurrency = "max_concurrency";
        public const string SessionTtl = "session_ttl_seconds";
        public const string MaxUploadBytes = "limits.max_upload_bytes";
        public const string MaxPartBytes = "limits.max_part_bytes";
        public const string StagingQuotaBytes = "limits.sandbox_staging_quota_bytes";
    }

    public static SandboxSettings FromOptions(MockSandboxOptions options) => new(
        options.PartSize,
        options.MaxConcurrency,
        options.SessionTtl,
        options.Limits.MaxUploadBytes,
        options.Limits.MaxPartBytes ?? options.PartSize,
        options.Limits.SandboxStagingQuotaBytes);

    public IReadOnlyList<FieldError> Problems()
    {
        var problems = new List<FieldError>();
        if (PartSize < 1)
        {
            problems.Add(new(Fields.PartSize, "out_of_range", "part_size must be at least 1 byte."));
        }
        if (MaxConcurrency < 1)
        {
            problems.Add(new(Fields.MaxConcurrency, "out_of_range", "max_concurrency must be at least 1."));
        }
        if (SessionTtl <= TimeSpan.Zero)
        {
            problems.Add(new(Fields.SessionTtl, "out_of_range", "the session TTL must be positive."));
        }
        if (MaxUploadBytes < 0)
        {
            problems.Add(new(Fields.MaxUploadBytes, "out_of_range", "max_upload_bytes must not be negative."));
        }
        if (MaxPartBytes < PartSize)
        {
            // Every part but the last is exactly part_size [ours], so a smaller cap would refuse every upload.
            problems.Add(new(Fields.MaxPartBytes, "out_of_range", $"max_part_bytes ({MaxPartBytes}) must be at least part_size ({PartSize})."));
        }
        if (StagingQuotaBytes < 0)
        {
            problems.Add(new(Fields.StagingQuotaBytes, "out_of_range", "sandbox_staging_quota_bytes must not be negative."));
        }
        return problems;
    }
}
