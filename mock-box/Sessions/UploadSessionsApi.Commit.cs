using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Files;
using MockBox.Http;

namespace MockBox.Sessions;

internal static partial class UploadSessionsApi
{
    /// <summary>What the 202 answer's Retry-After says, in seconds (README.md operation 7 gives no value).</summary>
    public const int CommitRetryAfterSeconds = 1;

    private readonly record struct ListedPart(string PartId, long Offset, long Size, string? Sha1);

    /// <summary>
    /// POST /files/upload_sessions/{id}/commit (README.md operation 7). Checks, in order: the Digest header,
    /// the body's <c>parts</c>, that every part is uploaded and listed as stored, the If-Match /
    /// If-None-Match preconditions; then answers the configured number of 202s; then assembles the file,
    /// checks the whole-file digest and creates the file or its new version.
    /// </summary>
    internal static async Task<Results<Created<FilesResource>, Accepted, BoxError>> CommitAsync(
        string sessionId, HttpContext context, SessionStore sessions, FileStore files, MockBoxSettings settings,
        TimeProvider time, ILogger<SessionStore> logger)
    {
        var (session, error) = sessions.Resolve(sessionId, context.BoxUser());
        if (session is null)
        {
            return error!;
        }
        var request = context.Request;
        var digestStatus = DigestHeader.TryGetSha1(request.Headers[BoxHeaders.Digest], out var digest);
        if (session.State == SessionState.Committed)
        {
            return ReplayCommit(session, digestStatus, digest, files);
        }
        switch (digestStatus)
        {
            case DigestStatus.Missing:
                return BoxErrors.MissingDigest();
            case DigestStatus.Invalid:
                return BoxErrors.InvalidDigest();
        }
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, context.RequestAborted);
        if (bodyError is not null)
        {
            return bodyError;
        }
        if (ReadParts(body, out var listed) is { } partsError)
        {
            return partsError;
        }
        var stored = session.Parts();
        if (stored.Count < session.TotalParts)
        {
            return BoxErrors.UploadIncomplete(stored.Count, session.TotalParts);
        }
        if (Mismatch(listed, stored) is { } why)
        {
            return BoxErrors.PartsMismatch(why);
        }
        // RFC 9110 §13.2.1: preconditions are evaluated once the request would otherwise succeed.
        // A session for a new file has no current item, so If-Match fails and If-None-Match passes.
        var currentEtag = session.Target.FileId is { } targetId ? files.FindFile(targetId)?.Etag : null;
        if (Preconditions.Fail(request.Headers[BoxHeaders.IfMatch], request.Headers[BoxHeaders.IfNoneMatch], currentEtag))
        {
            return BoxErrors.PreconditionFailed();
        }

        var (parts, accepted, beginError) = session.BeginCommit(settings.Current.CommitAcceptedResponses, time.GetUtcNow());
        if (beginError is not null)
        {
            return beginError;
        }
        if (accepted)
        {
            // README.md: "parts all received but not all processed yet", Retry-After, no body.
            context.Response.Headers[BoxHeaders.RetryAfter] = CommitRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            Log.CommitAccepted(logger, session.Id);
            return TypedResults.Accepted((string?)null);
        }
        return await FinishCommitAsync(session, parts!, digest, context.BoxUser(), files, logger);
    }

    // Runs to the end even if the client leaves: a retried commit then finds the file (ReplayCommit).
    private static async Task<Results<Created<FilesResource>, Accepted, BoxError>> FinishCommitAsync(
        UploadSession session, IReadOnlyList<StoredPart> parts, byte[] digest, BoxUser user, FileStore files, ILogger logger)
    {
        var assembled = Path.Combine(session.Folder, "assembled.tmp");
        FileRecord? file = null;
        try
        {
            var actual = await SessionAssembler.AssembleAsync(parts, assembled, CancellationToken.None);
            if (!DigestHeader.SameDigest(actual, digest))
            {
                Log.CommitRefused(logger, session.Id, "digest_mismatch");
                return BoxErrors.DigestMismatch(expected: DigestHeader.ToBase64(digest), actual: DigestHeader.ToBase64(actual));
            }
            var sha1 = DigestHeader.ToHex(actual);
            var outcome = session.Target.FileId is { } fileId
                ? files.ReplaceContent(fileId, session.Target.FileName, assembled, session.FileSize, sha1, user)
                : files.CreateFile(session.Target.FolderId!, session.Target.FileName!, assembled, session.FileSize, sha1, user);
            if (outcome.Value is null)
            {
                Log.CommitRefused(logger, session.Id, outcome.Error!.Code);
                return outcome.Error!;
            }
            file = outcome.Value;
            Log.SessionCommitted(logger, session.Id, file.Id, file.VersionId, file.Size);
            return TypedResults.Created((string?)null, new FilesResource(1, [files.ToResource(file)]));
        }
        finally
        {
            if (file is null)
            {
                DataDirectory.DeleteFile(assembled);
            }
            session.EndCommit(file, DigestHeader.ToBase64(digest));
        }
    }

    /// <summary>
    /// A commit repeated after it succeeded (its answer lost on the way, say) gets the same 201 when it
    /// carries the same whole-file digest. Box documents no such thing; the mock's choice, like the
    /// byte-identical part resend. Anything else on a committed session is 404.
    /// </summary>
    private static Results<Created<FilesResource>, Accepted, BoxError> ReplayCommit(
        UploadSession session, DigestStatus digestStatus, byte[] digest, FileStore files)
    {
        if (digestStatus == DigestStatus.Present
            && session.Committed is var (fileId, committedDigest)
            && committedDigest == DigestHeader.ToBase64(digest)
            && files.FindFile(fileId) is { } file)
        {
            return TypedResults.Created((string?)null, new FilesResource(1, [files.ToResource(file)]));
        }
        return BoxErrors.SessionNotFound();
    }

    /// <summary>The body's <c>parts</c>: an array of UploadPart objects (part_id, offset, size; sha1 optional).</summary>
    private static BoxError? ReadParts(JsonElement body, out List<ListedPart> parts)
    {
        parts = [];
        if (!JsonBody.TryGetPresent(body, "parts", out var value))
        {
            return BoxErrors.BadRequest("parts is required", "parts");
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            return BoxErrors.BadRequest("parts must be an array of upload parts", "parts");
        }
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("part_id", out var id) || id.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("offset", out var offset) || offset.ValueKind != JsonValueKind.Number || !offset.TryGetInt64(out var offsetValue)
                || !item.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var sizeValue))
            {
                return BoxErrors.BadRequest($"parts[{index}] must have part_id (string), offset and size (integers)", "parts");
            }
            string? sha1 = null;
            if (JsonBody.TryGetPresent(item, "sha1", out var sha1Value))
            {
                if (sha1Value.ValueKind != JsonValueKind.String)
                {
                    return BoxErrors.BadRequest($"parts[{index}].sha1 must be a string", "parts");
                }
                sha1 = sha1Value.GetString();
            }
            parts.Add(new ListedPart(id.GetString()!, offsetValue, sizeValue, sha1));
            index++;
        }
        return null;
    }

    /// <summary>Why the listed parts are not exactly the stored ones, or null when they are (order does not matter).</summary>
    private static string? Mismatch(List<ListedPart> listed, IReadOnlyList<StoredPart> stored)
    {
        var byId = stored.ToDictionary(part => part.PartId, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in listed)
        {
            if (!byId.TryGetValue(part.PartId, out var match))
            {
                return $"part {part.PartId} was not uploaded to this session";
            }
            if (!seen.Add(part.PartId))
            {
                return $"part {part.PartId} is listed twice";
            }
            if (match.Offset != part.Offset || match.Size != part.Size)
            {
                return $"part {part.PartId} has offset {match.Offset} and size {match.Size}";
            }
            if (part.Sha1 is not null && !string.Equals(part.Sha1, match.Sha1Hex, StringComparison.OrdinalIgnoreCase))
            {
                return $"part {part.PartId} has sha1 {match.Sha1Hex}";
            }
        }
        var missing = stored.Count - seen.Count;
        return missing == 0 ? null : $"{missing} uploaded part(s) are not listed";
    }
}
