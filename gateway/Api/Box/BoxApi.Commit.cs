using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Uploads;
using Gateway.Http;

namespace Gateway.Api.Box;

/// <summary>The commit: the client's parts list reconciled with the parts stored, and the committed file in Box's shape.</summary>
internal static partial class BoxApi
{
    /// <summary>
    /// POST /files/upload_sessions/{id}/commit: the whole file's SHA-1 in <c>Digest</c> and the parts as uploaded.
    /// <c>201</c> with the file; <c>202</c> and <c>Retry-After</c> while the backend still assembles.
    /// </summary>
    private static async Task<IResult> CommitAsync(string id, Tenant tenant, HttpContext context, UploadLifecycle lifecycle, ISessionStore store,
        BoxRouting routing, TimeProvider time)
    {
        RequireWellFormed(id);
        var sha1 = Convert.ToHexStringLower(BoxDigest.Require(context.Request));
        var listed = ListedParts(await ReadObjectAsync(context));
        var session = await FindAsync(id, tenant, store, context.RequestAborted);
        if (session.Status == SessionStatus.Completed)
        {
            // A commit repeated after its answer was lost gets the same file, if it names the same content.
            return session.Result?.Sha1 is { } committed && committed != sha1
                ? throw BoxErrors.NotFound()
                : Committed(session, sha1, routing);
        }
        Live(session, time);
        var stored = await store.ListPartsAsync(id, context.RequestAborted);
        if (stored.Count < session.PartCount)
        {
            throw BoxErrors.UploadIncomplete(stored.Count, session.PartCount);
        }
        if (Mismatch(listed, stored, session) is { } why)
        {
            throw BoxErrors.PartsMismatch(why);
        }
        (UploadSession Session, TimeSpan? RetryAfter) outcome;
        try
        {
            outcome = await lifecycle.CompleteAsync(tenant, id, new WholeChecksums { Sha1 = sha1 }, context.RequestAborted);
        }
        catch (GatewayException e)
        {
            throw await RefusalAsync(e, BoxOperation.Commit, id, tenant, store, time);
        }
        if (outcome.RetryAfter is { } wait)
        {
            context.Response.Headers.SetRetryAfter(wait);
            return TypedResults.StatusCode(StatusCodes.Status202Accepted);
        }
        return Committed(outcome.Session, sha1, routing);
    }

    /// <summary>DELETE /files/upload_sessions/{id}: aborts here and at the backend, quota released.</summary>

    /// <summary>
    /// The committed file as Box describes one. Where the backend gave the file an id of its own (Box's), it is that
    /// file (id, sha1, size as the backend answered); elsewhere the gateway gives the file a Box-style id of its own, a
    /// number derived from where it landed (backend and target), so the same destination always has the same id, as a
    /// Box file keeps its id across versions, and its <c>sha1</c> is the commit's own digest (every part's SHA-1 was
    /// checked as it streamed). Its name and folder are what the target answers to in the Box wire's keys, or else
    /// the tenant's folder routed to where it landed.
    /// </summary>
    private static IResult Committed(UploadSession session, string sha1, BoxRouting routing)
    {
        var result = session.Result ?? new SessionResult();
        var at = BoxTime(session.UpdatedAt);
        var keys = routing.KeysOf(session);
        var name = keys.GetValueOrDefault(TargetKeys.FileName) ?? "";
        var folder = keys.GetValueOrDefault(BoxRouting.FolderKey) ?? routing.FolderOf(session);
        var parent = folder is not null ? new BoxFolderMini("folder", folder) : null;
        var file = result.FileId is { } fileId
            ? new BoxFile(fileId, "file", name, result.Size ?? session.ContentLength, result.Sha1 ?? sha1, parent, at, at, "active")
            : new BoxFile(SyntheticFileId(session.Backend, session.Target), "file", name, result.Size ?? session.ContentLength, sha1, parent, at, at, "active");
        return TypedResults.Json(new BoxFiles(1, [file]), BoxWireJsonContext.Default.BoxFiles, statusCode: StatusCodes.Status201Created);
    }

    private static string SyntheticFileId(string backend, UploadTarget target)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{backend}\n{target.Json}"));
        // 56 bits: a decimal of at most 17 digits, like Box's ids, never 0.
        var value = (BitConverter.ToUInt64(hash) & 0x00FF_FFFF_FFFF_FFFF) | 1;
        return value.ToString(CultureInfo.InvariantCulture);
    }

    private readonly record struct ListedPart(string PartId, long Offset, long Size, string? Sha1);

    private static List<ListedPart> ListedParts(JsonElement body)
    {
        if (!Present(body, "parts", out var value))
        {
            throw BoxErrors.BadRequest("parts is required", "parts");
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw BoxErrors.BadRequest("parts must be an array of upload parts", "parts");
        }
        var parts = new List<ListedPart>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("part_id", out var id) || id.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("offset", out var offset) || !offset.TryGetInt64Safe(out var offsetValue)
                || !item.TryGetProperty("size", out var size) || !size.TryGetInt64Safe(out var sizeValue))
            {
                throw BoxErrors.BadRequest($"parts[{parts.Count}] must have part_id (string), offset and size (integers)", "parts");
            }
            string? sha1 = null;
            if (Present(item, "sha1", out var sha1Value))
            {
                sha1 = sha1Value.ValueKind == JsonValueKind.String
                    ? sha1Value.GetString()
                    : throw BoxErrors.BadRequest($"parts[{parts.Count}].sha1 must be a string", "parts");
            }
            parts.Add(new ListedPart(id.GetString()!, offsetValue, sizeValue, sha1));
        }
        return parts;
    }

    /// <summary>Why the listed parts are not exactly the stored ones (in any order), or null when they are.</summary>
    private static string? Mismatch(List<ListedPart> listed, IReadOnlyList<PartRecord> stored, UploadSession session)
    {
        var byId = stored.ToDictionary(p => PartId(p.Number), StringComparer.Ordinal);
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
            if (session.OffsetOf(match.Number) != part.Offset || match.Size != part.Size)
            {
                return $"part {part.PartId} has offset {session.OffsetOf(match.Number)} and size {match.Size}";
            }
            if (part.Sha1 is not null && !string.Equals(part.Sha1, match.Sha1, StringComparison.OrdinalIgnoreCase))
            {
                return $"part {part.PartId} has sha1 {match.Sha1}";
            }
        }
        var missing = stored.Count - seen.Count;
        return missing == 0 ? null : $"{missing} uploaded part(s) are not listed";
    }
}
