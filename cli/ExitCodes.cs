using System.Net;
using System.Net.Http;
using UploadGateway.Client;

namespace UploadGateway.Cli;

/// <summary>
/// One exit code per class of failure, so scripts can tell "fix your command" from "try again later" from
/// "this file is not that upload". Documented in client/README.md; keep the two in step.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A bug or an answer this CLI did not expect.</summary>
    public const int Internal = 1;

    /// <summary>Bad command line: unknown option, missing target, no gateway URL or API key.</summary>
    public const int Usage = 2;

    /// <summary>401/403: the API key (or JWT) is missing, wrong, or not allowed.</summary>
    public const int Unauthorized = 3;

    /// <summary>404: no such upload for this tenant.</summary>
    public const int NotFound = 4;

    /// <summary>400/413/422: the gateway refused the request as given (target, backend, kind, size, quota, digests).</summary>
    public const int Rejected = 5;

    /// <summary>409/410: the upload's state does not allow it (target exists, parts missing, aborted, expired).</summary>
    public const int Conflict = 6;

    /// <summary>429/5xx after retries, no connection, or a timeout: the gateway or its backend is unavailable; try again later.</summary>
    public const int Unavailable = 7;

    /// <summary>The local file or directory is missing, unreadable, or not the content of the upload being resumed.</summary>
    public const int LocalContent = 8;

    /// <summary>Interrupted (Ctrl-C); the upload can be resumed.</summary>
    public const int Interrupted = 130;

    public static int For(Exception exception) => exception switch
    {
        GatewayException g => For(g.Status),
        UploadContentMismatchException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => LocalContent,
        IOException when exception is not HttpIOException => LocalContent,
        HttpRequestException or HttpIOException or TimeoutException => Unavailable,
        OperationCanceledException => Interrupted,
        _ => Internal,
    };

    private static int For(HttpStatusCode status) => (int)status switch
    {
        401 or 403 => Unauthorized,
        404 => NotFound,
        400 or 413 or 422 => Rejected,
        409 or 410 => Conflict,
        429 or >= 500 => Unavailable,
        _ => Internal,
    };
}
