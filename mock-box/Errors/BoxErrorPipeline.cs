using Microsoft.AspNetCore.Diagnostics;

namespace MockBox.Errors;

/// <summary>
/// Makes every error a client can see Box's envelope (README.md "Error envelope"), including the ones no
/// handler writes: an unknown route (404), a known route with the wrong method (405), and an unhandled
/// exception (500, which should never happen).
/// </summary>
internal static class BoxErrorPipeline
{
    public static IApplicationBuilder UseBoxErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context => BoxErrors.InternalServerError().ExecuteAsync(context),
        });
        // Only responses without a body of their own: a handler's BoxError always has one.
        app.UseStatusCodePages(context => BoxErrors.ForStatus(context.HttpContext.Response.StatusCode).ExecuteAsync(context.HttpContext));
        return app;
    }
}
