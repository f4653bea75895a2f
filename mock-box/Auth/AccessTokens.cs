using Microsoft.Extensions.Options;
using MockBox.Configuration;

namespace MockBox.Auth;

/// <summary>The configured bearer tokens (<c>MockBox:AccessTokens</c>) and the user each one stands for.</summary>
internal sealed class AccessTokens
{
    private const long FirstUserId = 20_000_000_001;

    private readonly Dictionary<string, BoxUser> _users = new(StringComparer.Ordinal);

    public AccessTokens(IOptions<MockBoxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tokens = options.Value.AccessTokens.Where(token => !string.IsNullOrWhiteSpace(token)).Distinct(StringComparer.Ordinal);
        foreach (var (token, index) in tokens.Select((token, index) => (token, index)))
        {
            var number = index + 1;
            _users[token] = new BoxUser((FirstUserId + index).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Mock User {number}", $"user{number}@mock-box.invalid");
        }
    }

    public BoxUser? Find(string token) => _users.GetValueOrDefault(token);
}
