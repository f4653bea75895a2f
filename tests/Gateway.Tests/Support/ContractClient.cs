using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Support;

/// <summary>A test's view of the v1 contract: raw HTTP, so every status and header can be asserted.</summary>
public sealed class ContractClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public Task<HttpResponseMessage> CreateAsync(object body) =>
        http.PostAsync("/v1/uploads", Json(body));

    /// <summary>Creates a session and returns its body, failing the test unless the gateway answered 201.</summary>
    public async Task<JsonElement> CreateOkAsync(object body)
    {
        using var response = await CreateAsync(body);
        return await ExpectAsync(response, HttpStatusCode.Created);
    }

    public Task<JsonElement> CreateSandboxFileAsync(long length, string path) => CreateOkAsync(new
    {
        backend = "sandbox",
        target = new { sandbox_id = GatewayHarness.SandboxId, path },
        content_length = length,
    });

    public Task<JsonElement> CreateBoxFileAsync(long length, string fileName, string folderId = "0") => CreateOkAsync(new
    {
        backend = "box",
        target = new { folder_id = folderId, file_name = fileName },
        content_length = length,
    });

    public Task<HttpResponseMessage> PutPartAsync(string id, int n, byte[] bytes, string? contentDigest = null, bool chunked = false)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/uploads/{id}/parts/{n}") { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        if (contentDigest is not null)
        {
            request.Headers.TryAddWithoutValidation("Content-Digest", contentDigest);
        }
        return http.SendAsync(request);
    }

    /// <summary>Uploads part <paramref name="n"/> of <paramref name="file"/> and expects 200.</summary>
    public async Task<JsonElement> PutPartOkAsync(string id, int n, byte[] file, long partSize, string? contentDigest = null)
    {
        using var response = await PutPartAsync(id, n, Slice(file, n, partSize), contentDigest);
        return await ExpectAsync(response, HttpStatusCode.OK);
    }

    public async Task<JsonElement> GetOkAsync(string id)
    {
        using var response = await http.GetAsync($"/v1/uploads/{id}");
        return await ExpectAsync(response, HttpStatusCode.OK);
    }

    /// <summary>
    /// The session once no commit of it is under way (neither completing nor, between two attempts, staged), polled
    /// for up to 30 s without sending complete; as it last was when that time ran out.
    /// </summary>
    public async Task<JsonElement> SettledAsync(string id)
    {
        var session = await GetOkAsync(id);
        for (var i = 0; i < 300 && session.GetProperty("status").GetString() is "completing" or "staged"; i++)
        {
            await Task.Delay(100);
            session = await GetOkAsync(id);
        }
        return session;
    }

    public Task<HttpResponseMessage> CompleteAsync(string id, object? body = null) =>
        http.PostAsync($"/v1/uploads/{id}/complete", body is null ? null : Json(body));

    /// <summary>Completes session <paramref name="id"/> as a client of the contract does: again after each 202, until 200 (up to 15 s).</summary>
    public async Task<JsonElement> CompletedAsync(string id)
    {
        for (var i = 0; i < 150; i++)
        {
            using var response = await CompleteAsync(id, new { });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await ExpectAsync(response, HttpStatusCode.OK);
            }
            await ExpectAsync(response, HttpStatusCode.Accepted);
            await Task.Delay(100);
        }
        throw new TimeoutException($"Upload {id} was not completed within 15 s.");
    }

    public Task<HttpResponseMessage> AbortAsync(string id) => http.DeleteAsync($"/v1/uploads/{id}");

    public static byte[] Slice(byte[] file, int n, long partSize)
    {
        var offset = (int)((n - 1) * partSize);
        return file[offset..(int)Math.Min(file.Length, offset + partSize)];
    }

    public static StringContent Json(object body) =>
        new(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Asserts the status and returns the JSON body (with the body in the failure message when it differs).</summary>
    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem+json answer with this status and code, and returns it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal("/errors/" + code, problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        return problem;
    }

    public void Dispose() => http.Dispose();
}
