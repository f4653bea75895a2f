using Microsoft.AspNetCore.Http.HttpResults;
using MockCommon;
using MockSandbox.Errors;
using MockSandbox.Http;
using MockSandbox.Idempotency;
using MockSandbox.Sandboxes;
using MockSandbox.Uploads;

namespace MockSandbox.Testing;

/// <summary>
/// The mock-only surface [ours], mapped only in test mode: the shared <c>/_mock/faults</c> and
/// <c>/_mock/reset</c>, plus sandboxes (create, change settings and limits, mark not ready, delete) and an
/// on-demand expiry sweep. Errors use the sandbox envelope like the API's own.
/// </summary>
internal static class MockApi
{
    public static RouteGroupBuilder MapMockApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapMockSurface(Reset);
        var sandboxes = group.MapGroup("/sandboxes");
        sandboxes.MapGet("", List);
        sandboxes.MapPost("", CreateAsync);
        sandboxes.MapGet("/{id}", Get);
        sandboxes.MapPatch("/{id}", UpdateAsync);
        sandboxes.MapDelete("/{id}", Delete);
        group.MapPost("/sweep", Sweep);
        return group;
    }

    public static Ok<MockSandboxView[]> List(SandboxRegistry sandboxes, UploadService uploads) =>
        TypedResults.Ok(sandboxes.All.OrderBy(s => s.Id, StringComparer.Ordinal).Select(s => View(s, uploads)).ToArray());

    public static async Task<Created<MockSandboxView>> CreateAsync(HttpContext context, SandboxRegistry sandboxes, UploadService uploads)
    {
        var request = await ReadAsync(context);
        var id = request.Id ?? SandboxIds.NewId();
        if (!SandboxIds.IsValid(id))
        {
            throw SandboxError.InvalidField("id", "invalid_id", $"id must be {SandboxIds.Format}.").AsException();
        }
        var settings = Apply(sandboxes.DefaultSettings, request);
        var sandbox = sandboxes.TryCreate(id, settings) ?? throw SandboxError.Conflict($"Sandbox {id} already exists.").AsException();
        sandbox.Ready = request.Ready ?? true;
        return TypedResults.Created($"{MockSurfaceExtensions.Prefix}/sandboxes/{id}", View(sandbox, uploads));
    }

    public static Ok<MockSandboxView> Get(string id, SandboxRegistry sandboxes, UploadService uploads) =>
        TypedResults.Ok(View(Find(sandboxes, id), uploads));

    /// <summary>Changes what the sandbox's next sessions get; sessions already created keep theirs.</summary>
    public static async Task<Ok<MockSandboxView>> UpdateAsync(string id, HttpContext context, SandboxRegistry sandboxes, UploadService uploads)
    {
        var sandbox = Find(sandboxes, id);
        var request = await ReadAsync(context);
        if (request.Id is not null && request.Id != id)
        {
            throw SandboxError.InvalidField("id", "immutable", "A sandbox's id cannot be changed.").AsException();
        }
        sandbox.Settings = Apply(sandbox.Settings, request);
        sandbox.Ready = request.Ready ?? sandbox.Ready;
        return TypedResults.Ok(View(sandbox, uploads));
    }

    public static NoContent Delete(string id, SandboxRegistry sandboxes) =>
        sandboxes.Remove(id) ? TypedResults.NoContent() : throw SandboxError.SandboxNotFound(id).AsException();

    /// <summary>Runs the expiry sweep now, so a test that moved the clock need not wait for the timer.</summary>
    public static Ok<MockSweepResult> Sweep(UploadService uploads) => TypedResults.Ok(new MockSweepResult(uploads.Sweep()));

    private static Task Reset(IServiceProvider services)
    {
        services.GetRequiredService<SandboxRegistry>().Reset();
        services.GetRequiredService<IdempotencyStore>().Clear();
        return Task.CompletedTask;
    }

    private static Sandbox Find(SandboxRegistry sandboxes, string id) =>
        sandboxes.Find(id) ?? throw SandboxError.SandboxNotFound(id).AsException();

    private static async Task<MockSandboxRequest> ReadAsync(HttpContext context)
    {
        var body = await JsonBodies.ReadObjectAsync(context.Request, optional: true, context.RequestAborted);
        return JsonBodies.Bind(body, SandboxJsonContext.Default.MockSandboxRequest);
    }

    private static SandboxSettings Apply(SandboxSettings current, MockSandboxRequest request)
    {
        if (request.SessionTtlSeconds is { } seconds && (double.IsNaN(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2))
        {
            throw SandboxError.InvalidField(SandboxSettings.Fields.SessionTtl, "out_of_range", "session_ttl_seconds must be a positive number of seconds.").AsException();
        }
        var settings = new SandboxSettings(
            request.PartSize ?? current.PartSize,
            request.MaxConcurrency ?? current.MaxConcurrency,
            request.SessionTtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : current.SessionTtl,
            request.Limits?.MaxUploadBytes ?? current.MaxUploadBytes,
            request.Limits?.MaxPartBytes ?? current.MaxPartBytes,
            request.Limits?.SandboxStagingQuotaBytes ?? current.StagingQuotaBytes);
        var problems = settings.Problems();
        return problems.Count == 0 ? settings : throw SandboxError.InvalidFields(problems).AsException();
    }

    private static MockSandboxView View(Sandbox sandbox, UploadService uploads)
    {
        // Settle expiry first, so the figures count only sessions that still hold a reservation.
        uploads.ExpireDue(sandbox);
        var settings = sandbox.Settings;
        var live = sandbox.Sessions.Values.Count(s => s.Reserves);
        return new MockSandboxView(
            sandbox.Id,
            sandbox.Ready,
            settings.PartSize,
            settings.MaxConcurrency,
            settings.SessionTtl.TotalSeconds,
            new MockLimitsView(settings.MaxUploadBytes, settings.MaxPartBytes, settings.MaxConcurrency, settings.StagingQuotaBytes),
            new MockUsageView(sandbox.Quota.Reserved, live, sandbox.Sessions.Values.Sum(s => s.InFlight)));
    }
}
