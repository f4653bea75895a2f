namespace MockBox.Testing;

/// <summary>The mock's adjustable settings as <c>/_mock/settings</c> shows them (snake_case JSON).</summary>
internal sealed record MockSettingsResource(long PartSize, long MinFileSize, long SessionTtlSeconds, int CommitAcceptedResponses);

/// <summary>A partial update of <see cref="MockSettingsResource"/>: absent fields stay as they are.</summary>
internal sealed record MockSettingsPatch(long? PartSize, long? MinFileSize, long? SessionTtlSeconds, int? CommitAcceptedResponses);

internal sealed record MockFolderRequest(string? Name, string? ParentId);
