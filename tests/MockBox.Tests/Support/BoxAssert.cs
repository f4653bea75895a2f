using System.Net;
using System.Text.Json;

namespace MockBox.Tests.Support;

internal static class BoxAssert
{
    /// <summary>
    /// The response is Box's error envelope (mock-box/README.md) with this status and code, every field present and
    /// typed; returns the envelope for further checks.
    /// </summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.Clone();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(error.GetProperty("context_info").ValueKind is JsonValueKind.Null or JsonValueKind.Object);
        Assert.StartsWith("https://developer.box.com/", error.GetProperty("help_url").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("request_id").GetString()));
        return error;
    }

    public static async Task<JsonElement> StatusAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        if (text.Length == 0)
        {
            return default;
        }
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
