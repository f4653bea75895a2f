using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MockSandbox.Files;

/// <summary><c>PUT</c>/<c>GET /v1/sandboxes/{id}/file?path=…&amp;user=…</c> [doc].</summary>
internal static class FilesApi
{
    public static RouteGroupBuilder MapFilesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/sandboxes/{id}/file");
        group.MapPut("", WriteAsync);
        group.MapGet("", Read);
        return group;
    }

    /// <summary>Raw body → <c>204</c> [doc].</summary>
    public static async Task<NoContent> WriteAsync(string id, string? path, string? user, HttpContext context, SandboxFiles files)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null; // max_upload_bytes is enforced while streaming
        }
        await files.WriteAsync(id, path, user, context.Request.Body, context.Request.ContentLength, context.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary><c>200 application/octet-stream</c>, or <c>404 not_found</c> [doc].</summary>
    public static FileStreamHttpResult Read(string id, string? path, string? user, SandboxFiles files) =>
        TypedResults.File(files.OpenRead(id, path, user), "application/octet-stream");
}
