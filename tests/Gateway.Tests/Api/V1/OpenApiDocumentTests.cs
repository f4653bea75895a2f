using System.Net;
using System.Text.Json;
using Gateway.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Gateway.Tests.Api.V1;

/// <summary>
/// The OpenAPI document the gateway generates from its endpoints (<c>/openapi/v1.json</c>) against the contract:
/// every path, method and status the contract tests exercise is in it, and every route the gateway serves.
/// </summary>
public sealed class OpenApiDocumentTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>The contract, as the tests under Contract/, Hostile/, Limits/, Auth/, Admin/ and Hooks/ exercise it.</summary>
    private static readonly (string Method, string Path, int[] Statuses)[] Contract =
    [
        ("post", "/v1/uploads", [201, 400, 401, 403, 409, 413, 422, 429, 502, 503]),
        ("get", "/v1/uploads", [200, 400, 401]),
        ("get", "/v1/uploads/{id}", [200, 401, 404]),
        ("delete", "/v1/uploads/{id}", [204, 401, 404, 409]),
        ("put", "/v1/uploads/{id}/parts/{partNumber}", [200, 400, 401, 404, 409, 410, 413, 429, 502, 503]),
        ("get", "/v1/uploads/{id}/parts", [200, 400, 401, 404]),
        ("post", "/v1/uploads/{id}/complete", [200, 202, 400, 401, 404, 409, 410, 502, 503]),
        ("get", "/v1/backends", [200, 401]),
        ("get", "/v1/admin/uploads", [200, 401, 403]),
        ("get", "/healthz", [200]),
        ("get", "/readyz", [200]),
    ];

    [Fact]
    public async Task Every_path_method_and_status_of_the_contract_is_in_the_document()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var missing = new List<string>();
        foreach (var (method, path, statuses) in Contract)
        {
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation))
            {
                missing.Add($"{method.ToUpperInvariant()} {path}");
                continue;
            }
            var responses = operation.GetProperty("responses");
            missing.AddRange(statuses
                .Where(s => !responses.TryGetProperty(s.ToString(System.Globalization.CultureInfo.InvariantCulture), out _))
                .Select(s => $"{method.ToUpperInvariant()} {path} {s}"));
        }
        Assert.True(missing.Count == 0, "Not in the document: " + string.Join("; ", missing));
    }

    [Fact]
    public async Task Error_responses_are_problem_details()
    {
        var document = await DocumentAsync();

        var create = document.GetProperty("paths").GetProperty("/v1/uploads").GetProperty("post").GetProperty("responses");
        Assert.True(create.GetProperty("422").GetProperty("content").TryGetProperty("application/problem+json", out _));
        var part = document.GetProperty("paths").GetProperty("/v1/uploads/{id}/parts/{partNumber}").GetProperty("put");
        Assert.True(part.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
    }

    [Fact]
    public async Task Every_route_the_gateway_serves_under_v1_is_in_the_document()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        var document = await DocumentAsync(system);
        var routes = system.Gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(p => p.StartsWith("/v1/", StringComparison.Ordinal))
            .Distinct();

        var paths = document.GetProperty("paths");
        Assert.All(routes, route => Assert.True(paths.TryGetProperty(route.TrimEnd('/'), out _), $"{route} is served but not documented."));
    }

    [Fact]
    public async Task The_document_and_its_reference_page_need_no_credentials()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var anonymous = system.Gateway.CreateClient();

        using var page = await anonymous.GetAsync("/scalar/v1");
        using var json = await anonymous.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.StartsWith("3.", JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        return await DocumentAsync(system);
    }

    private static async Task<JsonElement> DocumentAsync(GatewayHarness system)
    {
        using var anonymous = system.Gateway.CreateClient();
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
