using System.Globalization;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Rechunking;
using Gateway.Sessions;
using Gateway.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

/// <summary>tus concatenation (https://tus.io/protocols/resumable-upload#concatenation): partial uploads, staged whole, and the final upload made of them.</summary>
internal static partial class TusApi
{
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
            var reached = await writer.ExclusiveAsync(context, partial.Id, cancellationToken => AppendPartialAsync(context, partials, partial, 0, checksum, cancellationToken));
            context.Response.Headers["Upload-Offset"] = reached.ToString(CultureInfo.InvariantCulture);
        }
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<long> AppendPartialAsync(HttpContext context, TusPartials partials, PartialUpload partial, long offset, TusChecksum? checksum,
        CancellationToken cancellationToken)
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
        var written = await StagedAppend.AppendAsync(partials.DataPath(partial.Id), context.Request.Body, count, checksum?.Chunk, current, cancellationToken);
        if (length is not null && written < count)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"The body ended after {written} of its {count} bytes; the bytes received are kept.");
        }
        if (length is null && written == room && await context.Request.Body.ReadAsync(new byte[1], cancellationToken) > 0)
        {
            // Not the bytes announced: this body's are cut back off, so the partial cannot be complete with them.
            ChunkStaging.Truncate(partials.DataPath(partial.Id), current);
            throw new GatewayException(ErrorCode.UploadTooLarge, "The body runs past Upload-Length; its bytes were discarded.");
        }
        return current + written;
    }

    private static async Task<IResult> CreateFinalAsync(Tenant tenant, HttpContext context, string concat, UploadLifecycle lifecycle, BackendRegistry backends,
        IOptions<TusTenantCatalog> defaults, TusRecords staging, TusWriter writer, TusPartials partials)
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
}
