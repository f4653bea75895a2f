using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Api.Box;
using Gateway.Api.Tus;
using Gateway.Api.V1;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Backends.S3;
using Gateway.Cors;
using Gateway.Draining;
using Gateway.Events;
using Gateway.Expiry;
using Gateway.Forwarding;
using Gateway.Hooks;
using Gateway.Limits;
using Gateway.Rechunking;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Uploads;
using Gateway.UploadTokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;
using ServiceDefaults;

namespace Gateway.Hosting;

/// <summary>The gateway's wiring: one <c>Add…</c> per concern, called from here, and the request pipeline.</summary>
internal static class GatewayExtensions
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("gateway");
        var services = builder.Services;
        services.AddGatewayTelemetry(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSessionStore(builder.Configuration);
        services.AddGatewayTelemetryDecorators();
        services.AddBackends(builder.Configuration);
        // The backend plugins, one line each, by their configuration Type (docs/architecture.md, "Adding a backend").
        services.AddUploadBackendType<Backends.Sandbox.SandboxBackendType>("sandbox");
        services.AddUploadBackendType<Backends.Box.BoxBackendType>("box");
        services.AddS3BackendType(builder.Configuration);
        services.AddHooks();
        services.AddUploads();
        services.AddForwarding(builder.Configuration);
        services.AddRechunking();
        services.AddGatewayAuth(builder.Configuration);
        services.AddUploadTokens(builder.Configuration);
        services.AddLimits();
        services.AddExpiry();
        services.AddEvents();
        services.AddDrain();
        services.AddSingleton<IEventDataWriter, V1EventData>();
        // The Box front's error handling first: it takes only Box routes, v1's takes the rest.
        services.AddBoxFront();
        services.AddV1Problems();
        services.AddV1OpenApi();
        services.AddGatewayForwardedHeaders();
        services.AddTus();
        services.AddGatewayCors();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // A JSON API, not HTML: no need to escape <, > or ' in details and names.
            json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, V1JsonContext.Default);
        });
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseDrain();
        // Routing explicitly, where the framework would put it, so the tus method override comes first.
        app.UseTusMethodOverride();
        app.UseRouting();
        // /healthz and /readyz (service-defaults): short-circuited after routing, so no middleware below applies.
        app.MapDefaultEndpoints();
        app.UseV1Problems();
        app.UseAuthentication();
        app.UseGatewayCors();
        app.UseTusProtocol();
        // After CORS, so that a page can read its 429; it answers before authorization, so a right key guessed
        // from a throttled address looks like a wrong one.
        app.UseAuthFailureThrottle();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseUploadTokenAccess();
        // Loads ReverseProxy:Clusters (HTTP clients, health checks); the gateway declares no proxy routes.
        app.MapReverseProxy();
        app.MapUploadsApiV1().RequireAuthorization();
        app.MapBackendsApiV1().RequireAuthorization();
        app.MapUploadTokensApiV1().RequireAuthorization();
        app.MapAdminApiV1().RequireAuthorization(AuthExtensions.AdminPolicy);
        app.MapWebhooksAdminApi().RequireAuthorization(AuthExtensions.AdminPolicy);
        app.MapDashboard();
        // The contract as a document and a reference page, anonymous (see V1OpenApi).
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapBoxApi().RequireAuthorization();
        app.MapTus();
        return app;
    }
}
