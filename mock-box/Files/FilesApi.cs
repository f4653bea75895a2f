using Microsoft.AspNetCore.Http.HttpResults;
using MockBox.Errors;

namespace MockBox.Files;

/// <summary>
/// Enough of Box's file API (API host, <c>/2.0</c>) to check what a commit produced: the file object and
/// its bytes.
/// </summary>
internal static class FilesApi
{
    public const string ApiPrefix = "/2.0";

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder endpoints)
    {
        var files = endpoints.MapGroup(ApiPrefix + "/files");
        files.MapGet("/{fileId}", GetFile);
        files.MapGet("/{fileId}/content", GetContent);
        return endpoints;
    }

    internal static Results<Ok<FileResource>, BoxError> GetFile(string fileId, FileStore files) =>
        files.FindFile(fileId) is { } file
            ? TypedResults.Ok(files.ToResource(file))
            : BoxErrors.NotFound("Could not find the specified resource");

    /// <summary>
    /// Box answers with a 302 to a download host; the mock serves the bytes itself (HTTP clients follow the
    /// redirect anyway, and a test reads one response instead of two).
    /// </summary>
    internal static Results<FileStreamHttpResult, BoxError> GetContent(string fileId, FileStore files)
    {
        if (files.OpenContent(fileId) is not var (file, content))
        {
            return BoxErrors.NotFound("Could not find the specified resource");
        }
        return TypedResults.Stream(content, "application/octet-stream", file.Name, enableRangeProcessing: true);
    }
}
