using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MockSandbox.Configuration;
using MockSandbox.Errors;

namespace MockSandbox.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;API key&gt;</c> [doc]. No key at all is <c>401 missing_api_key</c>; a key
/// that is not configured (or another scheme) is <c>401 unauthorized</c> [ours: statuses].
/// </summary>
internal sealed class ApiKeyFilter : IEndpointFilter
{
    private const string Scheme = "Bearer ";
    private readonly byte[][] _keys;

    public ApiKeyFilter(IOptions<MockSandboxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = [.. options.Value.ApiKeys.Select(Encoding.UTF8.GetBytes)];
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString().Trim();
        if (header.Length == 0 || header.Equals(Scheme.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw SandboxError.MissingApiKey().AsException();
        }
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !IsKnown(header[Scheme.Length..].Trim()))
        {
            throw SandboxError.Unauthorized().AsException();
        }
        return next(context);
    }

    // Constant-time per key: a mock, but one that should not teach a timing leak.
    private bool IsKnown(string key)
    {
        var candidate = Encoding.UTF8.GetBytes(key);
        var known = false;
        foreach (var configured in _keys)
        {
            known |= CryptographicOperations.FixedTimeEquals(candidate, configured);
        }
        return known;
    }
}
