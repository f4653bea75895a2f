namespace Gateway.Api.Box;

/// <summary>
/// The bodiless answers on Box routes (401 from auth, 404 and 405 from routing, 429 from the rate limiter) in
/// Box's envelope; registered ahead of the v1 writer, which writes every other route's.
/// </summary>
internal sealed class BoxProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => BoxErrorWriter.IsBoxRequest(context.HttpContext);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        // A 429's Retry-After is the rate limiter's, already set.
        var http = context.HttpContext;
        return new ValueTask(BoxErrorWriter.WriteAsync(http, BoxErrors.ForStatus(context.ProblemDetails.Status ?? http.Response.StatusCode)));
    }
}
