using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Gateway.Sessions;

/// <summary>
/// Where a page of a tenant's sessions (newest first) ended: the last session's creation time and id.
/// Opaque to clients (base64url).
/// </summary>
internal readonly record struct ListCursor(long CreatedAtMs, string Id)
{
    public override string ToString() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{CreatedAtMs}:{Id}"));

    public static bool TryParse(string? text, [NotNullWhen(true)] out ListCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 256)
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !long.TryParse(decoded.AsSpan(0, colon), out var ms) || colon == decoded.Length - 1)
            {
                return false;
            }
            cursor = new ListCursor(ms, decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Whether a session sorts after this cursor in newest-first order (ties broken by id, descending).</summary>
    public bool IsBefore(long createdAtMs, string id) =>
        createdAtMs < CreatedAtMs || (createdAtMs == CreatedAtMs && string.CompareOrdinal(id, Id) < 0);
}
