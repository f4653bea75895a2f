using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MockCommon;
using MockSandbox.Auth;
using MockSandbox.Configuration;
using MockSandbox.Errors;
using MockSandbox.Files;
using MockSandbox.Idempotency;
using MockSandbox.Publishing;
using MockSandbox.Sandboxes;
using MockSandbox.Testing;
using MockSandbox.Uploads;
using ServiceDefaults;

namespace MockSandbox;

/// <summary>The mock's wiring: services in <see cref="AddMockSandbox"/>, pipeline and endpoints in <see cref="MapMockSandbox"/>.</summary>
public static class MockSandboxExtensions
{
    /// <summary>
    /// Registers the mock's services and binds the <c>MockSandbox</c> configuration section (validated at start-up).
    /// </summary>
    /// <remarks>
    /// The clock is <c>TryAddSingleton(TimeProvider.System)</c>, so a test may supply its own
    /// <see cref="TimeProvider"/> in either order: registered before this call, it is kept; registered after
    /// it, the later registration wins when the mock's services resolve their single <see cref="TimeProvider"/>.
    /// </remarks>
    public static WebApplicationBuilder AddMockSandbox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults("mock-sandbox");
        var services = builder.Services;

        services.AddOptions<MockSandboxOptions>().BindConfiguration(MockSandboxOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MockSandboxOptions>, MockSandboxOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SandboxStorage>();
        services.AddSingleton<SandboxRegistry>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<Publisher>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<SandboxFiles>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddHostedService<ExpirySweeper>();

        services.AddMockFaults();
        services.AddSingleton<IMockErrorWriter, SandboxErrorWriter>();

        services.ConfigureHttpJsonOptions(json =>
        {
            // snake_case on the wire [seed]; the /_mock/faults rules (mock-common) are read with the same policy.
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // Messages quote names ('x') and paths; plain JSON escaping keeps them readable with curl.
            json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, SandboxJsonContext.Default);
        });
        // A /_mock/ body the framework cannot bind becomes an exception, which the error middleware turns
        // into 400 invalid_request in the sandbox envelope, instead of an empty 400.
        services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// The pipeline: request id and error envelope outermost, injected faults (test mode only), the API
    /// behind its API key, the <c>/_mock/</c> surface (test mode only), and a 404 for every other route.
    /// </summary>
    public static WebApplication MapMockSandbox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var testMode = app.Services.GetRequiredService<IOptions<MockSandboxOptions>>().Value.TestMode;

        // /healthz and /readyz (service-defaults), for an orchestrator: not the backend's API, answered before
        // its middleware (no credential, no injected fault).
        app.MapDefaultEndpoints();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        if (testMode)
        {
            app.UseMockFaults();
        }

        app.MapUploadsApi().AddEndpointFilter<ApiKeyFilter>();
        app.MapFilesApi().AddEndpointFilter<ApiKeyFilter>();
        if (testMode)
        {
            app.MapMockApi();
        }
        // Unknown routes, wrong methods and /_mock/ outside test mode: the API's own 404 [doc envelope].
        app.MapFallback("{*path}", (HttpContext context) =>
            throw SandboxError.NotFound($"No route for {context.Request.Method} {context.Request.Path}.").AsException());
        return app;
    }
}
