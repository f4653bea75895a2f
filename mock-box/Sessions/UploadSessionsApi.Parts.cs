using Microsoft.AspNetCore.Http.HttpResults;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Http;

namespace MockBox.Sessions;

internal static partial class UploadSessionsApi
{
    /// <summary>
    /// PUT /files/upload_sessions/{id} (README.md operation 4). The request is checked before a byte is read
    /// (<see cref="CheckPartRequest"/>); the body is then streamed to disk and hashed, compared with the
    /// Digest header, and only then offered to the session, which decides between stored, resent and
    /// overlapping. Bodies with Content-Length and with chunked transfer coding are read the same way.
    /// </summary>
    internal static async Task<Results<Ok<UploadedPartResource>, BoxError>> UploadPartAsync(
        string sessionId, HttpContext context, SessionStore sessions, TimeProvider time, ILogger<SessionStore> logger)
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
        if (CheckPartRequest(session, context.Request, out var range, out var digest) is { } refusal)
        {
            Log.PartRefused(logger, session.Id, context.Request.Headers[BoxHeaders.ContentRange].ToString(), refusal.Code);
            return refusal;
        }

        var temporary = session.NewTemporaryPath();
        Log.PartReceiving(logger, session.Id, range.ToString(), temporary);
        PartReceiver.Received received;
        try
        {
            received = await PartReceiver.ReceiveAsync(context.Request.Body, temporary, range.Length, context.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's verdict on the framing, e.g. the body ended before its Content-Length.
            DataDirectory.DeleteFile(temporary);
            Log.PartBodyBroken(logger, session.Id, range.ToString(), e.Message, temporary);
            return BoxErrors.RequestSizeMismatch(range.Length, null);
        }
        catch (DirectoryNotFoundException)
        {
            // The session was aborted or expired between the checks and the first write.
            return session.State == SessionState.Expired ? BoxErrors.SessionExpired() : BoxErrors.SessionNotFound();
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-body: nothing of this part is kept, and nobody reads the answer.
            DataDirectory.DeleteFile(temporary);
            Log.PartAbandoned(logger, session.Id, range.ToString(), temporary);
            return BoxErrors.RequestSizeMismatch(range.Length, null);
        }
        catch
        {
            DataDirectory.DeleteFile(temporary);
            throw;
        }

        if (received.TooLong || received.Length != range.Length)
        {
            DataDirectory.DeleteFile(temporary);
            Log.PartRefused(logger, session.Id, range.ToString(), "request_size_mismatch");
            return BoxErrors.RequestSizeMismatch(range.Length, received.TooLong ? null : received.Length);
        }
        if (!DigestHeader.SameDigest(received.Sha1, digest))
        {
            // README.md: digest mismatch → 400 bad_digest, and the part is not stored.
            DataDirectory.DeleteFile(temporary);
            Log.PartRefused(logger, session.Id, range.ToString(), "bad_digest");
            return BoxErrors.BadDigest();
        }

        var (part, resent, storeError) = session.AcceptPart(range.First, range.Length, DigestHeader.ToHex(received.Sha1), temporary, time.GetUtcNow());
        if (part is null)
        {
            Log.PartRefused(logger, session.Id, range.ToString(), storeError!.Code);
            return storeError;
        }
        if (resent)
        {
            Log.PartResent(logger, session.Id, part.PartId, part.Offset);
        }
        else
        {
            Log.PartStored(logger, session.Id, part.PartId, part.Offset, part.Size);
        }
        return TypedResults.Ok(new UploadedPartResource(ToResource(part)));
    }

    /// <summary>
    /// The part rules of README.md operation 4 that need no body, in the order they are checked; each one
    /// row, one status code.
    /// </summary>
    private static BoxError? CheckPartRequest(UploadSession session, HttpRequest request, out ContentRange range, out byte[] digest)
    {
        digest = [];
        if (request.ContentLength > session.PartSize)
        {
            // Kestrel's own limit is lifted for this route; the part size is the limit instead.
            range = default;
            return BoxErrors.RequestEntityTooLarge($"A part may not be larger than the session's part_size {session.PartSize}");
        }
        if (!ContentRange.TryParse(request.Headers[BoxHeaders.ContentRange], out range))
        {
            return BoxErrors.InvalidContentRange();
        }
        if (range.Total != session.FileSize)
        {
            return BoxErrors.RangeTotalMismatch(session.FileSize);
        }
        // "The lower bound of each part's byte range must be a multiple of the part size."
        if (range.First % session.PartSize != 0)
        {
            return BoxErrors.RangeNotPartAligned(session.PartSize);
        }
        // "Each part's size must be exactly equal to the part size … except the last part."
        var expected = PartSizing.ExpectedSize(session.FileSize, session.PartSize, range.First);
        if (range.Length != expected)
        {
            return BoxErrors.RangeSizeMismatch(expected);
        }
        switch (DigestHeader.TryGetSha1(request.Headers[BoxHeaders.Digest], out digest))
        {
            case DigestStatus.Missing:
                return BoxErrors.MissingDigest();
            case DigestStatus.Invalid:
                return BoxErrors.InvalidDigest();
        }
        if (request.ContentLength is { } length && length != range.Length)
        {
            return BoxErrors.RequestSizeMismatch(range.Length, length);
        }
        return null;
    }
}
