using Microsoft.AspNetCore.Http.HttpResults;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Files;
using MockBox.Sessions;
using MockCommon;

namespace MockBox.Testing;

/// <summary>
/// The mock-only surface under <c>/_mock/</c>, mapped only in test mode (<c>MockBox:TestMode</c>): faults
/// and reset from mock-common, plus folders to upload into and the settings a test may change while the
/// mock runs (part size, minimum file size, session TTL, number of 202s on commit).
/// </summary>
internal static class MockApi
{
    public static IEndpointRouteBuilder MapMockApi(this IEndpointRouteBuilder endpoints)
    {
        var mock = endpoints.MapMockSurface(ResetAsync);
        mock.MapPost("/folders", CreateFolder);
        mock.MapGet("/settings", GetSettings);
        mock.MapPatch("/settings", PatchSettings);
        return endpoints;
    }

    /// <summary>Forgets every session, file and folder (but the root), deletes their bytes, restores the configured settings.</summary>
    internal static Task ResetAsync(IServiceProvider services)
    {
        services.GetRequiredService<SessionStore>().Reset();
        services.GetRequiredService<FileStore>().Reset();
        services.GetRequiredService<DataDirectory>().Clear();
        services.GetRequiredService<MockBoxSettings>().Reset();
        Log.MockReset(services.GetRequiredService<ILogger<MockBoxSettings>>());
        return Task.CompletedTask;
    }

    /// <summary>POST /_mock/folders <c>{"name": "…", "parent_id": "0"}</c> → 201 with the folder (Folder--Mini).</summary>
    internal static Results<Created<FolderResource>, BoxError> CreateFolder(MockFolderRequest request, FileStore files)
    {
        if (request.Name is null)
        {
            return BoxErrors.BadRequest("name is required", "name");
        }
        if (FileNames.Problem(request.Name) is { } problem)
        {
            return BoxErrors.ItemNameInvalid(problem);
        }
        var outcome = files.CreateFolder(request.ParentId ?? FileStore.RootFolderId, request.Name);
        return outcome.Value is { } folder
            ? TypedResults.Created($"{MockSurfaceExtensions.Prefix}/folders/{folder.Id}", files.ToResource(folder))
            : outcome.Error!;
    }

    internal static Ok<MockSettingsResource> GetSettings(MockBoxSettings settings) => TypedResults.Ok(ToResource(settings.Current));

    /// <summary>PATCH /_mock/settings with any of the fields; the same rules as start-up validation apply.</summary>
    internal static Results<Ok<MockSettingsResource>, BoxError> PatchSettings(MockSettingsPatch patch, MockBoxSettings settings, ILogger<MockBoxSettings> logger)
    {
        if (patch.PartSize is <= 0 or > MockBoxOptions.MaxPartSize)
        {
            return BoxErrors.BadRequest($"part_size must be between 1 and {MockBoxOptions.MaxPartSize}", "part_size");
        }
        if (patch.MinFileSize is < 0)
        {
            return BoxErrors.BadRequest("min_file_size must not be negative", "min_file_size");
        }
        if (patch.SessionTtlSeconds is <= 0)
        {
            return BoxErrors.BadRequest("session_ttl_seconds must be positive", "session_ttl_seconds");
        }
        if (patch.CommitAcceptedResponses is < 0)
        {
            return BoxErrors.BadRequest("commit_accepted_responses must not be negative", "commit_accepted_responses");
        }
        var updated = settings.Update(current => new MockBoxSettings.Snapshot(
            patch.PartSize ?? current.PartSize,
            patch.MinFileSize ?? current.MinFileSize,
            patch.SessionTtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : current.SessionTtl,
            patch.CommitAcceptedResponses ?? current.CommitAcceptedResponses));
        Log.SettingsChanged(logger, updated.PartSize, updated.MinFileSize, updated.SessionTtl, updated.CommitAcceptedResponses);
        return TypedResults.Ok(ToResource(updated));
    }

    private static MockSettingsResource ToResource(MockBoxSettings.Snapshot settings) =>
        new(settings.PartSize, settings.MinFileSize, (long)settings.SessionTtl.TotalSeconds, settings.CommitAcceptedResponses);
}
