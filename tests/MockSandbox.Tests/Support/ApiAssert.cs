using System.Net;
using System.Text.Json;

namespace MockSandbox.Tests.Support;

/// <summary>Checks of the API's two response shapes: a JSON body with a status, and the error envelope [doc].</summary>
internal static class ApiAssert
{
    private static readonly HashSet<string> s_errorMembers = ["code", "message", "hint", "request_id", "retryable", "details"];

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Checks the envelope <c>{"error": {code, message, hint?, request_id, retryable, details?}}</c>, that
    /// <c>request_id</c> matches the <c>X-Request-Id</c> header, and <c>retryable</c> (true for 429 and 5xx
    /// unless <paramref name="retryable"/> says otherwise). Returns the inner error object.
    /// </summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, bool? retryable = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name));
        var error = root.GetProperty("error");
        Assert.Subset(s_errorMembers, error.EnumerateObject().Select(p => p.Name).ToHashSet());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        var requestId = error.GetProperty("request_id").GetString();
        Assert.False(string.IsNullOrWhiteSpace(requestId));
        Assert.Equal(requestId, response.Headers.GetValues("X-Request-Id").Single());
        var expectRetryable = retryable ?? ((int)status == 429 || (int)status >= 500);
        Assert.Equal(expectRetryable, error.GetProperty("retryable").GetBoolean());
        return error.Clone();
    }

    /// <summary>The <c>reason</c> of the first invalid field of a <c>400 invalid_fields</c>.</summary>
    public static (string Field, string Reason) FirstField(JsonElement error)
    {
        var field = error.GetProperty("details").GetProperty("fields")[0];
        return (field.GetProperty("field").GetString()!, field.GetProperty("reason").GetString()!);
    }

    public static IEnumerable<string> Fields(JsonElement error) =>
        error.GetProperty("details").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("field").GetString()!);
}
