namespace MockSandbox.Http;

/// <summary>
/// One id per request, for the error envelope's <c>request_id</c> [doc]. Random rather than the trace id:
/// a caller's trace spans many requests, and a request id must name one.
/// </summary>
internal static class RequestIds
{
    private static readonly object s_key = new();

    public static string Of(HttpContext context)
    {
        if (context.Items.TryGetValue(s_key, out var existing) && existing is string id)
        {
            return id;
        }
        id = "req_" + Guid.NewGuid().ToString("N");
        context.Items[s_key] = id;
        return id;
    }
}
