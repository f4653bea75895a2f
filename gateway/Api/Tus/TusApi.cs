using System.Globalization;
using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using UploadGateway.Contract;

namespace Gateway.Api.Tus;

/// <summary>
/// The tus 1.0 front (https://tus.io/protocols/resumable-upload; docs/tus.md): <c>/tus/</c> creates,
/// <c>/tus/{id}</c> is the upload. A tus upload is a gateway session: its id is the session's, and the core
/// (<see cref="UploadLifecycle"/>, the part path, the store) does all the work; this front parses tus headers
/// and answers in tus status codes, with the gateway's problem+json body and its <c>code</c>.
/// </summary>
internal static class TusApi
{
    public const string Version = "1.0.0";
    public const string OffsetOctetStream = "application/offset+octet-stream";

    /// <summary>Exactly what works; <c>creation-defer-length</c> is not offered (docs/tus.md says why).</summary>
    public const string Extensions = "creation,creation-with-upload,termination,expiration,checksum,concatenation";

    public const string ChecksumAlgorithms = "sha1,sha256";

    public static IEndpointRouteBuilder MapTus(this IEndpointRouteBuilder endpoints)
    {
        // tus is its own protocol (tus.io), not part of the v1 contract the OpenAPI document describes.
        var tus = endpoints.MapGroup("/tus").ExcludeFromDescription();
        tus.MapMethods("/", ["OPTIONS"], Options).AllowAnonymous();
        tus.MapMethods("/{id}", ["OPTIONS"], Options).AllowAnonymous();
        tus.MapPost("/", CreateAsync).RequireAuthorization();
        tus.MapMethods("/{id}", ["HEAD"], HeadAsync).RequireAuthorization();
        tus.MapMethods("/{id}", ["PATCH"], PatchAsync).RequireAuthorization();
        tus.MapDelete("/{id}", TerminateAsync).RequireAuthorization();
        return endpoints;
    }

    private static IResult Options(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = Version;
        headers["Tus-Extension"] = Extensions;
        headers["Tus-Checksum-Algorithm"] = ChecksumAlgorithms;
        if (TenantResolution.Find(context) is { } tenant)
        {
            headers["Tus-Max-Size"] = tenant.Limits.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        }
        return Results.NoContent();
    }

    private static async Task<IResult> CreateAsync(Tenant tenant, HttpContext context, UploadLifecycle lifecycle, BackendRegistry backends,
        IOptions<TusTenantCatalog> defaults, TusStaging staging, TusWriter writer, ISessionStore store, TusPartials partials)
    {
        var request = context.Request;
        var concat = request.Headers["Upload-Concat"].ToString();
        if (concat == "partial")
        {
            return await CreatePartialAsync(tenant, context, partials, writer);
        }
        if (concat.StartsWith("final;", StringComparison.Ordinal))
        {
            return await CreateFinalAsync(tenant, context, concat, lifecycle, backends, defaults, staging, writer, partials);
        }
        if (concat.Length > 0)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Concat must be \"partial\" or \"final;<url> <url>…\".");
        }
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Defer-Length is not offered: both backends need the size at creation. Send Upload-Length.");
        }
        var length = Number(request.Headers["Upload-Length"], "Upload-Length")
            ?? throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Length is required.");
        if (length > tenant.Limits.MaxUploadBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"Upload-Length {length} is over Tus-Max-Size {tenant.Limits.MaxUploadBytes}.");
        }
        var rawMetadata = request.Headers["Upload-Metadata"].ToString();
        var metadata = TusMetadata.Parse(rawMetadata);
        var create = TusRouting.Resolve(tenant, metadata, defaults.Value.For(tenant.Name), backends, length);
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            ExpectOctetStream(request);
        }
        var checksum = hasBody ? ParseChecksum(request.Headers["Upload-Checksum"]) : null;

        var session = await lifecycle.CreateAsync(tenant, create, context.RequestAborted);
        await staging.SaveMetadataAsync(session.Id, rawMetadata.Length == 0 ? null : rawMetadata);
        var location = $"{request.PathBase}/tus/{session.Id}";
        context.Response.Headers.Location = location;
        if (session.Status == SessionStatus.Staged)
        {
            // Zero bytes: every part is there; the upload completes at once.
            session = await writer.CompleteAsync(tenant, session, context.RequestAborted);
        }
        var offset = 0L;
        if (hasBody)
        {
            LiftBodyLimit(context, tenant);
            try
            {
                (session, offset) = await writer.WriteAsync(context, tenant, session.Id, 0, request.ContentLength, checksum);
            }
            catch (GatewayException)
            {
                // The upload exists; the client learns its offset from HEAD and goes on with PATCH.
                offset = writer.Position(await store.GetAsync(session.Id, tenant.Name, CancellationToken.None) ?? session).Offset;
                context.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["Upload-Expires"] = session.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
                return Results.StatusCode(StatusCodes.Status201Created);
            }
            context.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        }
        Expires(context, session);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> HeadAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, TusStaging staging, TusWriter writer, TimeProvider time,
        TusPartials partials)
    {
        if (TusPartials.IsPartialId(id))
        {
            var partial = await partials.GetAsync(tenant, id, context.RequestAborted);
            var h = context.Response.Headers;
            h.CacheControl = "no-store";
            h["Upload-Offset"] = partials.Offset(id).ToString(CultureInfo.InvariantCulture);
            h["Upload-Length"] = partial.Length.ToString(CultureInfo.InvariantCulture);
            h["Upload-Concat"] = "partial";
            h["Upload-Expires"] = partial.ExpiresHeader;
            if (partial.Metadata is { } m)
            {
                h["Upload-Metadata"] = m;
            }
            return Results.Ok();
        }
        var session = await TusUploads.GetAsync(store, tenant, id, time, context.RequestAborted);
        if (session.Status is SessionStatus.Staged or SessionStatus.Completing)
        {
            // tus has no complete call: a commit an instance did not finish (it died, or Box was still assembling) is driven from here.
            try
            {
                session = await writer.CompleteAsync(tenant, session, context.RequestAborted);
            }
            catch (GatewayException)
            {
                // HEAD reports where the bytes stand; the commit is retried on the next HEAD.
            }
        }
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Upload-Offset"] = writer.Position(session).Offset.ToString(CultureInfo.InvariantCulture);
        headers["Upload-Length"] = session.ContentLength.ToString(CultureInfo.InvariantCulture);
        if (await staging.ReadMetadataAsync(id, context.RequestAborted) is { } metadata)
        {
            headers["Upload-Metadata"] = metadata;
        }
        if (await staging.ReadConcatAsync(id, context.RequestAborted) is { } concat)
        {
            headers["Upload-Concat"] = concat;
        }
        Expires(context, session);
        return Results.Ok();
    }

    private static async Task<IResult> PatchAsync(string id, Tenant tenant, HttpContext context, ISessionStore store, TusWriter writer, TimeProvider time,
        TusPartials partials, TusStaging staging)
    {
        var request = context.Request;
        ExpectOctetStream(request);
        var offset = Number(request.Headers["Upload-Offset"], "Upload-Offset")
            ?? throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Offset is required.");
        var checksum = ParseChecksum(request.Headers["Upload-Checksum"]);
        if (TusPartials.IsPartialId(id))
        {
            var partial = await partials.GetAsync(tenant, id, context.RequestAborted);
            LiftBodyLimit(context, tenant);
            var reached = await writer.ExclusiveAsync(id, () => AppendPartialAsync(context, partials, partial, offset, checksum));
            context.Response.Headers["Upload-Offset"] = reached.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["Upload-Expires"] = partial.ExpiresHeader;
            return Results.NoContent();
        }
        var session = await TusUploads.GetAsync(store, tenant, id, time, context.RequestAborted);
        if (await staging.ReadConcatAsync(id, context.RequestAborted) is not null)
        {
            // The concatenation extension: a final upload is made of its partials and takes no bytes of its own.
            throw new GatewayException(ErrorCode.Forbidden, "A final upload takes no PATCH: its bytes are its partial uploads'.");
        }
        if (session.Status == SessionStatus.Completed)
        {
            if (offset != session.ContentLength || request.ContentLength > 0)
            {
                throw new GatewayException(ErrorCode.InvalidState, $"The upload is complete at offset {session.ContentLength}.");
            }
            context.Response.Headers["Upload-Offset"] = session.ContentLength.ToString(CultureInfo.InvariantCulture);
            return Results.NoContent();
        }
        if (!staging.IsTusUpload(id))
        {
            // docs/tus.md, "Mixed use": the whole-object hash a tus upload completes with starts at its first byte,
            // which only an upload created here has seen. Not 409: tus clients retry that one as an offset conflict.
            throw new GatewayException(ErrorCode.InvalidRequest,
                "This upload was not created at /tus/ (or this instance does not share Gateway:Tus:StagingDirectory): tus PATCH only continues tus uploads. Send its parts and complete through /v1.");
        }
        LiftBodyLimit(context, tenant);
        var (now, newOffset) = await writer.WriteAsync(context, tenant, id, offset, request.ContentLength, checksum);
        context.Response.Headers["Upload-Offset"] = newOffset.ToString(CultureInfo.InvariantCulture);
        Expires(context, now);
        return Results.NoContent();
    }

    private static async Task<IResult> TerminateAsync(string id, Tenant tenant, HttpContext context, UploadLifecycle lifecycle, ISessionStore store,
        TusStaging staging, TimeProvider time, TusPartials partials)
    {
        if (TusPartials.IsPartialId(id))
        {
            await partials.DeleteAsync(await partials.GetAsync(tenant, id, context.RequestAborted));
            return Results.NoContent();
        }
        var session = await TusUploads.GetAsync(store, tenant, id, time, context.RequestAborted);
        await lifecycle.AbortAsync(tenant, session.Id, context.RequestAborted);
        staging.Delete(session.Id);
        return Results.NoContent();
    }

    private static async Task<IResult> CreatePartialAsync(Tenant tenant, HttpContext context, TusPartials partials, TusWriter writer)
    {
        var request = context.Request;
        var length = Number(request.Headers["Upload-Length"], "Upload-Length")
            ?? throw new GatewayException(ErrorCode.InvalidRequest, "Upload-Length is required.");
        if (length > tenant.Limits.MaxUploadBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"Upload-Length {length} is over Tus-Max-Size {tenant.Limits.MaxUploadBytes}.");
        }
        var raw = request.Headers["Upload-Metadata"].ToString();
        TusMetadata.Parse(raw);
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            ExpectOctetStream(request);
        }
        var checksum = hasBody ? ParseChecksum(request.Headers["Upload-Checksum"]) : null;
        var partial = await partials.CreateAsync(tenant, length, raw.Length == 0 ? null : raw);
        context.Response.Headers.Location = $"{request.PathBase}/tus/{partial.Id}";
        context.Response.Headers["Upload-Expires"] = partial.ExpiresHeader;
        if (hasBody)
        {
            LiftBodyLimit(context, tenant);
            var reached = await writer.ExclusiveAsync(partial.Id, () => AppendPartialAsync(context, partials, partial, 0, checksum));
            context.Response.Headers["Upload-Offset"] = reached.ToString(CultureInfo.InvariantCulture);
        }
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<long> AppendPartialAsync(HttpContext context, TusPartials partials, PartialUpload partial, long offset, TusChecksum? checksum)
    {
        var current = partials.Offset(partial.Id);
        if (offset != current)
        {
            throw new GatewayException(ErrorCode.InvalidState, $"Upload-Offset is {offset}, but the upload is at {current}; HEAD it and resume from there.")
            {
                Extensions = new Dictionary<string, object?> { ["upload_offset"] = current },
            };
        }
        var room = partial.Length - current;
        var length = context.Request.ContentLength;
        if (length > room)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"The body has {length} bytes; only {room} remain before Upload-Length.");
        }
        if (checksum is not null && length is null)
        {
            throw new GatewayException(ErrorCode.InvalidRequest with { Status = StatusCodes.Status411LengthRequired }, "A chunk with Upload-Checksum needs a Content-Length.");
        }
        var count = length ?? room;
        var written = await TusWriter.AppendToAsync(partials.DataPath(partial.Id), context.Request.Body, count, checksum, current, context.RequestAborted);
        if (length is not null && written < count)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"The body ended after {written} of its {count} bytes; the bytes received are kept.");
        }
        if (length is null && written == room && await context.Request.Body.ReadAsync(new byte[1], context.RequestAborted) > 0)
        {
            // Not the bytes announced: this body's are cut back off, so the partial cannot be complete with them.
            TusStaging.Truncate(partials.DataPath(partial.Id), current);
            throw new GatewayException(ErrorCode.UploadTooLarge, "The body runs past Upload-Length; its bytes were discarded.");
        }
        return current + written;
    }

    private static async Task<IResult> CreateFinalAsync(Tenant tenant, HttpContext context, string concat, UploadLifecycle lifecycle, BackendRegistry backends,
        IOptions<TusTenantCatalog> defaults, TusStaging staging, TusWriter writer, TusPartials partials)
    {
        var request = context.Request;
        var named = await partials.ResolveFinalAsync(tenant, concat, context.RequestAborted);
        var length = named.Sum(p => p.Length);
        if (length > tenant.Limits.MaxUploadBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"The partial uploads add up to {length} bytes, over Tus-Max-Size {tenant.Limits.MaxUploadBytes}.");
        }
        var raw = request.Headers["Upload-Metadata"].ToString();
        var create = TusRouting.Resolve(tenant, TusMetadata.Parse(raw), defaults.Value.For(tenant.Name), backends, length);
        var session = await lifecycle.CreateAsync(tenant, create, context.RequestAborted);
        await staging.SaveMetadataAsync(session.Id, raw.Length == 0 ? null : raw);
        await staging.SaveConcatAsync(session.Id, concat);
        // The final POST has no body of its own; the parts the forwarder sends are read from the partials.
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new StagedBody());
        try
        {
            await using var body = new ConcatenatedStream([.. named.Select(p => partials.DataPath(p.Id))]);
            (session, _) = session.Status == SessionStatus.Staged
                ? (await writer.CompleteAsync(tenant, session, context.RequestAborted), length)
                : await writer.WriteAsync(context, tenant, session.Id, 0, length, null, body);
        }
        catch
        {
            // The partials stay: the client may send the final POST again.
            await lifecycle.AbortAsync(tenant, session.Id, CancellationToken.None);
            staging.Delete(session.Id);
            throw;
        }
        foreach (var partial in named)
        {
            await partials.DeleteAsync(partial);
        }
        context.Response.Headers.Location = $"{request.PathBase}/tus/{session.Id}";
        Expires(context, session);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static void ExpectOctetStream(HttpRequest request)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(type, OffsetOctetStream, StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayException(ErrorCode.InvalidRequest with { Status = StatusCodes.Status415UnsupportedMediaType },
                $"Upload bytes must be sent as Content-Type: {OffsetOctetStream}.");
        }
    }

    /// <summary>A tus length or offset: digits only, no sign, at most 19 of them.</summary>
    private static long? Number(Microsoft.Extensions.Primitives.StringValues values, string header)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var text = values.Count == 1 ? values[0]!.Trim() : "";
        if (text.Length is 0 or > 19 || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"{header} must be a whole number of bytes from 0.");
        }
        return value;
    }

    private static TusChecksum? ParseChecksum(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var parts = values.Count == 1 ? values[0]!.Trim().Split(' ') : [];
        var (algorithm, size) = parts.Length == 2 ? parts[0] switch
        {
            ContractValues.Algorithms.Sha1 => (HashAlgorithmName.SHA1, 20),
            ContractValues.Algorithms.Sha256 => (HashAlgorithmName.SHA256, 32),
            _ => (default(HashAlgorithmName), 0),
        } : (default, 0);
        if (size == 0)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"Upload-Checksum must be \"<algorithm> <base64 digest>\" with an algorithm of {ChecksumAlgorithms}.");
        }
        var digest = new byte[size];
        if (!Convert.TryFromBase64String(parts[1], digest, out var written) || written != size)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"Upload-Checksum's {parts[0]} digest must be {size} bytes in base64.");
        }
        return new TusChecksum(parts[0], algorithm, digest);
    }

    /// <summary>A PATCH may carry up to the whole upload; Kestrel's 30 MB default would cut it.</summary>
    private static void LiftBodyLimit(HttpContext context, Tenant tenant)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = tenant.Limits.MaxUploadBytes;
        }
    }

    private static void Expires(HttpContext context, UploadSession session)
    {
        if (SessionStatus.IsLive(session.Status))
        {
            context.Response.Headers["Upload-Expires"] = session.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>Tells the forwarder a request without a body of its own has one: the staged bytes it sends instead.</summary>
internal sealed class StagedBody : IHttpRequestBodyDetectionFeature
{
    public bool CanHaveBody => true;
}

/// <summary>The caller's upload by its tus URL, with tus's answers for the ones that are gone.</summary>
internal static class TusUploads
{
    public static async Task<UploadSession> GetAsync(ISessionStore store, Tenant tenant, string id, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = UploadIds.IsWellFormed(id) ? await store.GetAsync(id, tenant.Name, cancellationToken) : null;
        return session?.StatusAt(time.GetUtcNow()) switch
        {
            null or SessionStatus.Aborted => throw new GatewayException(ErrorCode.NotFound, $"No upload {id}."),
            SessionStatus.Expired => throw new GatewayException(ErrorCode.Expired, "The upload expired; create a new one."),
            SessionStatus.Failed => throw new GatewayException(ErrorCode.InvalidState with { Status = StatusCodes.Status410Gone },
                "The upload failed at the backend; create a new one."),
            _ => session,
        };
    }

    public static async Task<UploadSession> GetLiveAsync(ISessionStore store, Tenant tenant, string id, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = await GetAsync(store, tenant, id, time, cancellationToken);
        return SessionStatus.TakesParts(session.Status) || session.Status is SessionStatus.Staged or SessionStatus.Completing
            ? session
            : throw new GatewayException(ErrorCode.InvalidState, $"The upload is {session.Status}; it takes no more bytes.");
    }
}
