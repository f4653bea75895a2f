using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Api.V1;

/// <summary>A query parameter a handler reads itself (to answer a bad value with the contract's error), named for the document.</summary>
internal sealed record QueryParameter(string Name, string Description, bool Integer = false);

/// <summary>
/// A request body a handler reads itself, named for the document. Not <c>Accepts&lt;T&gt;</c>: that also makes
/// routing answer other content types with an empty 415, where the contract answers <c>invalid_request</c>.
/// </summary>
internal sealed record RequestBody(Type Type, string ContentType);

/// <summary>
/// The v1 contract as an OpenAPI document generated from the endpoints (Microsoft.AspNetCore.OpenApi), served
/// at <c>/openapi/v1.json</c>, with a Scalar reference page at <c>/scalar/v1</c>. Both are anonymous: the
/// document describes the public contract only (paths, bodies, codes), no tenant, session or credential, and a
/// client needs it before it holds a key, as it needs <c>/healthz</c>.
/// </summary>
internal static class V1OpenApi
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddV1OpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Upload gateway",
                    Version = DocumentName,
                    Description = "One upload-session contract in front of storage backends: create a session, send parts "
                        + "(in parallel, in any order, resumable), watch progress, complete or abort. Errors are RFC 9457 "
                        + "problem details (application/problem+json) with a stable code; docs/architecture.md explains the design.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "Authorization: Bearer <API key or JWT>. Every endpoint needs it except /healthz, /readyz and this document.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                // The health endpoints are the framework's health checks (service-defaults), not route handlers the
                // document generator sees; they are part of the contract, so they are described here.
                document.Paths ??= [];
                document.Paths["/healthz"] = HealthPath("Liveness: the process answers. No credentials.");
                document.Paths["/readyz"] = HealthPath("Readiness: the store and every backend answer (200), or not (503). No credentials.");
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                foreach (var body in context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBody>())
                {
                    IOpenApiSchema schema = body.Type == typeof(Stream)
                        ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }
                        : await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = schema } },
                    };
                }
                foreach (var query in context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameter>())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = query.Name,
                        In = ParameterLocation.Query,
                        Description = query.Description,
                        Schema = new OpenApiSchema { Type = query.Integer ? JsonSchemaType.Integer : JsonSchemaType.String },
                    });
                }
            });
        });

    private static OpenApiPathItem HealthPath(string summary) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                Summary = summary,
                Tags = new HashSet<OpenApiTagReference> { new("health") },
                Security = [],
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse { Description = "Healthy: {\"status\":\"healthy\", …}" },
                    ["503"] = new OpenApiResponse { Description = "Unhealthy: the failing checks are named." },
                },
            },
        },
    };

    /// <summary>Declares the contract's problem responses an endpoint can answer with.</summary>
    public static RouteHandlerBuilder Problems(this RouteHandlerBuilder endpoint, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            endpoint.ProducesProblem(status, V1Problems.ContentType);
        }
        return endpoint;
    }
}
