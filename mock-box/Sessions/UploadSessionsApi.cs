using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Files;
using MockBox.Http;
using MockBox.Json;

namespace MockBox.Sessions;

/// <summary>
/// Box's seven chunked-upload operations (README.md "Operations") plus the <c>log_event</c> endpoint every
/// session advertises. This file: create, get, list parts, abort, log; the part upload and the commit
/// live beside it.
/// </summary>
internal static partial class UploadSessionsApi
{
    /// <summary>list-parts: README.md gives no default limit; 100 is Box's usual default for offset-paged lists.</summary>
    public const int DefaultListLimit = 100;

    public const int MaxListLimit = 1000;

    public const long MaxListOffset = 10_000;

    public static IEndpointRouteBuilder MapUploadSessionsApi(this IEndpointRouteBuilder endpoints)
    {
        // The upload host serves every operation under /api/2.0 (README.md "Hosts"). The API host's /2.0
        // serves the two create operations; the session operations answer there too, because Box's own
        // "Get upload session" reference page gives its curl example as upload.box.com/2.0/files/upload_sessions/<id>.
        foreach (var prefix in (string[])[PublicUrls.UploadApiPrefix, FilesApi.ApiPrefix])
        {
            var files = endpoints.MapGroup(prefix + "/files");
            files.MapPost("/upload_sessions", CreateForNewFileAsync);
            files.MapPost("/{fileId}/upload_sessions", CreateForNewVersionAsync);

            var session = files.MapGroup("/upload_sessions/{sessionId}");
            session.MapGet("", GetSession);
            session.MapPut("", UploadPartAsync);
            session.MapDelete("", Abort);
            session.MapGet("/parts", ListParts);
            session.MapPost("/commit", CommitAsync);
            session.MapPost("/log", LogEventAsync);
        }
        return endpoints;
    }

    /// <summary>
    /// Lifts Kestrel's 30 MB request body limit for part uploads, before anything reads the body: a part may
    /// be as large as the session's part_size, which the part handler enforces itself.
    /// </summary>
    public static Task LiftBodyLimitForPartsAsync(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsPut(context.Request.Method)
            && context.Request.Path.Value?.Contains("/files/upload_sessions/", StringComparison.Ordinal) == true
            && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        return next(context);
    }

    /// <summary>POST /files/upload_sessions (README.md operation 1).</summary>
    internal static async Task<Results<Created<UploadSessionResource>, BoxError>> CreateForNewFileAsync(
        HttpContext context, SessionStore sessions, FileStore files, MockBoxSettings settings, PublicUrls urls, ILogger<SessionStore> logger)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (error is not null)
        {
            return error;
        }
        var current = settings.Current;
        // The documented 400s field by field, then the preflight: size floor, folder, name clash.
        if (!JsonBody.TryGetPresent(body, "folder_id", out var folderValue))
        {
            return BoxErrors.MissingDestination();
        }
        if (FolderId(folderValue) is not { } folderId)
        {
            return BoxErrors.InvalidFolderId();
        }
        if (FileSize(body, out var fileSize) is { } sizeError)
        {
            return sizeError;
        }
        if (!JsonBody.TryGetPresent(body, "file_name", out var nameValue))
        {
            return BoxErrors.MissingFileName();
        }
        if (FileName(nameValue, out var fileName) is { } nameError)
        {
            return nameError;
        }
        if (fileSize < current.MinFileSize)
        {
            return BoxErrors.FileSizeTooSmall(current.MinFileSize);
        }
        if (files.FindFolder(folderId) is null)
        {
            return BoxErrors.FolderNotFound();
        }
        if (files.FindConflict(folderId, fileName) is { } conflict)
        {
            return BoxErrors.ItemNameInUse(conflict);
        }
        var session = sessions.Create(context.BoxUser(), new SessionTarget(folderId, null, fileName), fileSize, current.PartSize, current.SessionTtl);
        Log.SessionCreated(logger, session.Id, "folder " + folderId, fileSize, session.PartSize, session.TotalParts);
        return TypedResults.Created((string?)null, ToResource(session, urls.UploadSession(context.Request, session.Id)));
    }

    /// <summary>POST /files/{file_id}/upload_sessions (README.md operation 2): a new version, optionally renamed.</summary>
    internal static async Task<Results<Created<UploadSessionResource>, BoxError>> CreateForNewVersionAsync(
        string fileId, HttpContext context, SessionStore sessions, FileStore files, MockBoxSettings settings, PublicUrls urls, ILogger<SessionStore> logger)
    {
        if (files.FindFile(fileId) is not { } file)
        {
            return BoxErrors.NotFound("Could not find the specified resource");
        }
        var (body, error) = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (error is not null)
        {
            return error;
        }
        var current = settings.Current;
        if (FileSize(body, out var fileSize) is { } sizeError)
        {
            return sizeError;
        }
        string? newName = null;
        if (JsonBody.TryGetPresent(body, "file_name", out var nameValue))
        {
            if (FileName(nameValue, out var name) is { } nameError)
            {
                return nameError;
            }
            newName = name;
        }
        if (fileSize < current.MinFileSize)
        {
            return BoxErrors.FileSizeTooSmall(current.MinFileSize);
        }
        if (newName is not null && files.FindConflict(file.FolderId, newName, exceptFileId: file.Id) is { } conflict)
        {
            return BoxErrors.ItemNameInUse(conflict);
        }
        var session = sessions.Create(context.BoxUser(), new SessionTarget(null, file.Id, newName), fileSize, current.PartSize, current.SessionTtl);
        Log.SessionCreated(logger, session.Id, "file " + file.Id, fileSize, session.PartSize, session.TotalParts);
        return TypedResults.Created((string?)null, ToResource(session, urls.UploadSession(context.Request, session.Id)));
    }

    /// <summary>GET /files/upload_sessions/{id} (README.md operation 3).</summary>
    internal static Results<Ok<UploadSessionResource>, BoxError> GetSession(string sessionId, HttpContext context, SessionStore sessions, PublicUrls urls)
    {
        var (session, error) = sessions.Resolve(sessionId, context.BoxUser());
        if (session is null)
        {
            return error!;
        }
        if (session.State == SessionState.Committed)
        {
            return BoxErrors.SessionNotFound();
        }
        return TypedResults.Ok(ToResource(session, urls.UploadSession(context.Request, session.Id)));
    }

    /// <summary>
    /// GET /files/upload_sessions/{id}/parts (README.md operation 6): ascending offset, offset/limit paging,
    /// <c>offset</c> above 10,000 refused, <c>limit</c> capped at 1,000 and echoed.
    /// </summary>
    internal static Results<Ok<UploadPartsResource>, BoxError> ListParts(string sessionId, HttpContext context, SessionStore sessions)
    {
        var (session, error) = sessions.Resolve(sessionId, context.BoxUser());
        if (session is null)
        {
            return error!;
        }
        if (session.State == SessionState.Committed)
        {
            return BoxErrors.SessionNotFound();
        }
        var query = context.Request.Query;
        if (!TryReadQueryNumber(query["offset"], 0, out var offset) || offset < 0)
        {
            return BoxErrors.InvalidQueryParameter("offset", "offset must be a non-negative whole number");
        }
        if (offset > MaxListOffset)
        {
            return BoxErrors.InvalidQueryParameter("offset", $"offset must not exceed {MaxListOffset}");
        }
        if (!TryReadQueryNumber(query["limit"], DefaultListLimit, out var limit) || limit <= 0)
        {
            return BoxErrors.InvalidQueryParameter("limit", "limit must be a positive whole number");
        }
        limit = Math.Min(limit, MaxListLimit);
        var parts = session.Parts();
        var page = parts.Skip((int)offset).Take((int)limit).Select(ToResource).ToList();
        return TypedResults.Ok(new UploadPartsResource(parts.Count, limit, offset, [new PartsOrderResource("offset", "ASC")], page));
    }

    /// <summary>DELETE /files/upload_sessions/{id} (README.md operation 5): 204, every uploaded byte deleted.</summary>
    internal static Results<NoContent, BoxError> Abort(string sessionId, HttpContext context, SessionStore sessions, ILogger<SessionStore> logger)
    {
        var (session, error) = sessions.Resolve(sessionId, context.BoxUser());
        if (session is null)
        {
            return error!;
        }
        if (session.Abort() is { } abortError)
        {
            return abortError;
        }
        sessions.Remove(session);
        Log.SessionAborted(logger, session.Id);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// POST …/log, the session's <c>log_event</c> endpoint. README.md: every session advertises it but no
    /// operation documents it. The mock accepts any body for a live session and answers 204, as Box does
    /// for calls that return nothing.
    /// </summary>
    internal static async Task<Results<NoContent, BoxError>> LogEventAsync(string sessionId, HttpContext context, SessionStore sessions, ILogger<SessionStore> logger)
    {
        var (session, error) = sessions.Resolve(sessionId, context.BoxUser());
        if (session is null)
        {
            return error!;
        }
        if (session.State == SessionState.Committed)
        {
            return BoxErrors.SessionNotFound();
        }
        var (_, bodyError) = await ReadLogEventAsync(context.Request, context.RequestAborted);
        if (bodyError is not null)
        {
            return bodyError;
        }
        Log.LogEventReceived(logger, session.Id);
        return TypedResults.NoContent();
    }

    private static async Task<(long Length, BoxError? Error)> ReadLogEventAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        long length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            length += read;
            if (length > JsonBody.MaxBytes)
            {
                return (length, BoxErrors.RequestEntityTooLarge($"A log event may not exceed {JsonBody.MaxBytes} bytes"));
            }
        }
        return (length, null);
    }

    private static UploadSessionResource ToResource(UploadSession session, string url) =>
        new(session.Id, "upload_session", BoxTime.Format(session.ExpiresAt), session.PartSize, session.TotalParts, session.PartCount,
            new SessionEndpointsResource(
                UploadPart: url,
                Commit: url + "/commit",
                Abort: url,
                ListParts: url + "/parts",
                Status: url,
                LogEvent: url + "/log"));

    private static UploadPartResource ToResource(StoredPart part) => new(part.PartId, part.Offset, part.Size, part.Sha1Hex);

    // Box folder ids are numeric strings ("0" is the root).
    private static string? FolderId(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 20 } id && id.All(char.IsAsciiDigit)
            ? id
            : null;

    private static BoxError? FileSize(JsonElement body, out long fileSize)
    {
        fileSize = 0;
        if (!JsonBody.TryGetPresent(body, "file_size", out var value))
        {
            return BoxErrors.MissingFileSize();
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out fileSize) && fileSize >= 0
            ? null
            : BoxErrors.InvalidFileSize();
    }

    private static BoxError? FileName(JsonElement value, out string name)
    {
        name = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            return BoxErrors.ItemNameInvalid("file_name must be a string");
        }
        name = value.GetString()!;
        return FileNames.Problem(name) is { } problem ? BoxErrors.ItemNameInvalid(problem) : null;
    }

    private static bool TryReadQueryNumber(Microsoft.Extensions.Primitives.StringValues values, long fallback, out long number)
    {
        number = fallback;
        if (values.Count == 0)
        {
            return true;
        }
        return values.Count == 1
            && long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }
}
