using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Files;
using MockBox.Http;
using MockBox.Json;
using MockBox.Sessions;
using MockBox.Testing;
using MockCommon;
using ServiceDefaults;

namespace MockBox;

/// <summary>The mock's whole wiring: <c>builder.AddMockBox()</c>, then <c>app.MapMockBox()</c>.</summary>
public static class MockBoxExtensions
{
    /// <summary>
    /// Registers the mock's services and validated options (section <c>MockBox</c>).
    /// </summary>
    /// <remarks>
    /// The clock is <c>TryAddSingleton(TimeProvider.System)</c>, so a test's own <see cref="TimeProvider"/>
    /// wins in either order: registered BEFORE this call (with Add or TryAdd: this call then adds nothing),
    /// or AFTER it with <c>services.AddSingleton&lt;TimeProvider&gt;(fake)</c> (the last registration of a
    /// service is the one resolved; a TryAdd after this call would be ignored).
    /// </remarks>
    public static WebApplicationBuilder AddMockBox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults("mock-box");

        builder.Services.AddOptions<MockBoxOptions>()
            .BindConfiguration(MockBoxOptions.SectionName)
            .Validate(MockBoxOptions.HasAccessToken, "MockBox:AccessTokens must list at least one non-empty bearer token.")
            .Validate(options => options.PartSize is > 0 and <= MockBoxOptions.MaxPartSize,
                $"MockBox:PartSize must be between 1 and {MockBoxOptions.MaxPartSize} bytes.")
            .Validate(options => options.MinFileSize >= 0, "MockBox:MinFileSize must not be negative.")
            .Validate(options => options.SessionTtl > TimeSpan.Zero, "MockBox:SessionTtl must be a positive duration, e.g. 7.00:00:00.")
            .Validate(options => options.CommitAcceptedResponses >= 0, "MockBox:CommitAcceptedResponses must not be negative.")
            .Validate(MockBoxOptions.HasUsablePublicBaseUrl,
                "MockBox:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://upload.example.com.")
            .ValidateOnStart();

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DataDirectory>();
        services.AddSingleton<MockBoxSettings>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<FileStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<BoxErrorWriter>();
        services.AddSingleton<IMockErrorWriter>(sp => sp.GetRequiredService<BoxErrorWriter>());
        services.AddMockFaults();

        // Box's JSON is snake_case. The generated context serves the mock's own shapes; mock-common's fault
        // rules fall through to reflection with the same naming policy.
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, BoxJsonContext.Default);
        });
        return builder;
    }

    /// <summary>The middleware and endpoints: Box's envelope for every error, faults (test mode), bearer auth, the API, <c>/_mock/</c> (test mode).</summary>
    public static WebApplication MapMockBox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<MockBoxOptions>>().Value;

        // /healthz and /readyz (service-defaults), for an orchestrator: not the backend's API, answered before
        // its middleware (no credential, no injected fault).
        app.MapDefaultEndpoints();
        app.UseBoxErrors();
        // Before fault injection: a "drop after K bytes" rule reads the part body too.
        app.Use(UploadSessionsApi.LiftBodyLimitForPartsAsync);
        if (options.TestMode)
        {
            app.UseMockFaults();
        }
        app.UseMiddleware<BearerTokenMiddleware>();

        app.MapUploadSessionsApi();
        app.MapFilesApi();
        if (options.TestMode)
        {
            app.MapMockApi();
        }
        return app;
    }
}
