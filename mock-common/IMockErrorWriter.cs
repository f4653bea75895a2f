using Microsoft.AspNetCore.Http;

namespace MockCommon;

/// <summary>Writes an error in the mocked API's own envelope, so an injected fault looks like the real thing.</summary>
public interface IMockErrorWriter
{
    Task WriteAsync(HttpContext context, int status, string code, string message);
}
