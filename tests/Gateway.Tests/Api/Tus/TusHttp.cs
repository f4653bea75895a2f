using System.Net.Http.Headers;
using System.Text;

namespace Gateway.Tests.Api.Tus;

/// <summary>tus requests by hand: what a tus client sends, one header at a time, so each protocol rule can be tested alone.</summary>
internal static class TusHttp
{
    public const string OctetStream = "application/offset+octet-stream";

    public static string Metadata(params (string Key, string Value)[] pairs) =>
        string.Join(",", pairs.Select(p => p.Key + " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))));

    public static HttpRequestMessage Create(long length, string? metadata, byte[]? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/tus/");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (metadata is not null)
        {
            request.Headers.Add("Upload-Metadata", metadata);
        }
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(OctetStream);
        }
        return request;
    }

    public static HttpRequestMessage Patch(string location, long offset, byte[] body, int start = 0, int? count = null, string contentType = OctetStream)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.TryAddWithoutValidation("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Content = new ByteArrayContent(body, start, count ?? body.Length - start);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return request;
    }

    public static HttpRequestMessage Head(string location)
    {
        var request = new HttpRequestMessage(HttpMethod.Head, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static HttpRequestMessage Delete(string location)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    public static long Offset(HttpResponseMessage response) => long.Parse(Header(response, "Upload-Offset"), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<string> CreatedAsync(HttpClient client, long length, string? metadata)
    {
        using var response = await client.SendAsync(Create(length, metadata));
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return response.Headers.Location!.OriginalString;
    }

    public static async Task<long> HeadOffsetAsync(HttpClient client, string location)
    {
        using var response = await client.SendAsync(Head(location));
        if ((int)response.StatusCode != 200)
        {
            throw new InvalidOperationException($"HEAD answered {(int)response.StatusCode}");
        }
        return Offset(response);
    }
}
