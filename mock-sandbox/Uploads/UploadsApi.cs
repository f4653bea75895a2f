using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using MockSandbox.Http;
using MockSandbox.Idempotency;
using MockSandbox.Sandboxes;

namespace MockSandbox.Uploads;

/// <summary>The resumable upload endpoints [doc; the part path shape is ours].</summary>
internal static class UploadsApi
{
    public static RouteGroupBuilder MapUploadsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/sandboxes/{id}/uploads");
        group.MapPost("", CreateAsync);
        group.MapGet("/{upload_id}", GetStatus);
        group.MapPut("/{upload_id}/parts/{part_number}", PutPartAsync);
        group.MapPost("/{upload_id}/complete", CompleteAsync);
        group.MapDelete("/{upload_id}", Abort);
        return group;
    }

    /// <summary><c>201</c> with the session wrapped in <c>{"session": …}</c> [doc].</summary>
    public static async Task<Created<CreateUploadResponse>> CreateAsync(
        string id, HttpContext context, SandboxRegistry sandboxes, UploadService uploads, IdempotencyStore idempotency)
    {
        sandboxes.GetReady(id);
        var key = IdempotencyKeys.Require(context.Request);
        var body = await JsonBodies.ReadObjectAsync(context.Request, optional: false, context.RequestAborted);
        var request = JsonBodies.Bind(body, SandboxJsonContext.Default.CreateUploadRequest);
        var response = await idempotency.ExecuteAsync(
            $"create {id}", key, body, () => Task.FromResult(uploads.Create(id, request)), context.RequestAborted);
        return TypedResults.Created($"/v1/sandboxes/{id}/uploads/{response.Session.UploadId}", response);
    }

    /// <summary><c>200</c> with the session bare [seed].</summary>
    public static Ok<UploadSessionDto> GetStatus(string id, [FromRoute(Name = "upload_id")] string uploadId, UploadService uploads) =>
        TypedResults.Ok(uploads.Get(id, uploadId));

    /// <summary><c>200</c> with the updated session, bare [doc].</summary>
    public static async Task<Ok<UploadSessionDto>> PutPartAsync(
        string id,
        [FromRoute(Name = "upload_id")] string uploadId,
        [FromRoute(Name = "part_number")] string partNumber,
        HttpContext context,
        UploadService uploads)
    {
        // Kestrel's 30 MB default would cut parts short; max_part_bytes is enforced while streaming instead.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        var request = context.Request;
        var digest = request.Headers[SandboxHeaders.PartSha256];
        var upload = new PartUpload(request.Body, request.ContentLength, request.ContentType, digest.Count == 0 ? null : digest.ToString());
        return TypedResults.Ok(await uploads.PutPartAsync(id, uploadId, partNumber, upload, context.RequestAborted));
    }

    /// <summary><c>200</c> with <c>{session, published_bytes, published_file_count}</c> [doc].</summary>
    public static async Task<Ok<CompleteUploadResponse>> CompleteAsync(
        string id,
        [FromRoute(Name = "upload_id")] string uploadId,
        HttpContext context,
        SandboxRegistry sandboxes,
        UploadService uploads,
        IdempotencyStore idempotency)
    {
        sandboxes.GetReady(id);
        var key = IdempotencyKeys.Require(context.Request);
        var body = await JsonBodies.ReadObjectAsync(context.Request, optional: true, context.RequestAborted);
        var request = JsonBodies.Bind(body, SandboxJsonContext.Default.CompleteUploadRequest);
        var response = await idempotency.ExecuteAsync(
            $"complete {id}/{uploadId}", key, body, () => uploads.CompleteAsync(id, uploadId, request), context.RequestAborted);
        return TypedResults.Ok(response);
    }

    /// <summary><c>200</c> with the session, <c>aborted</c> [ours].</summary>
    public static Ok<UploadSessionDto> Abort(string id, [FromRoute(Name = "upload_id")] string uploadId, UploadService uploads) =>
        TypedResults.Ok(uploads.Abort(id, uploadId));
}
