using System.Globalization;

namespace Bench.Uploads;

/// <summary>
/// Who sends the parts. The benchmark's own .NET client writes 256 KiB at a time; real clients write less (curl
/// 64 KiB, Python's http.client 8 KiB, browsers and Go tens of KiB), and a proxy's cost per byte depends on how the
/// bytes arrive (issue 27). <c>dotnet:SIZE</c> is the same client writing SIZE at a time; <c>curl</c> is curl itself,
/// one process per upload sending every part with <c>--parallel</c>.
/// </summary>
internal sealed record ClientKind(string Name, int WriteSize, bool Curl)
{
    public const int DefaultWriteSize = 256 * 1024;

    public static readonly ClientKind Dotnet = new("dotnet", DefaultWriteSize, false);

    /// <summary>What a path's name gains for this client: nothing for the default one.</summary>
    public string Suffix => this == Dotnet ? "" : "+" + Name;

    /// <summary><c>dotnet</c>, <c>dotnet:8KiB</c> (any size), or <c>curl</c>.</summary>
    public static ClientKind Parse(string text, Func<string, long> size)
    {
        if (text == "curl")
        {
            return new("curl", 64 * 1024, true);
        }
        if (text == "dotnet")
        {
            return Dotnet;
        }
        if (text.StartsWith("dotnet:", StringComparison.Ordinal))
        {
            var bytes = size(text["dotnet:".Length..]);
            return bytes is >= 1 and <= 16 << 20
                ? bytes == DefaultWriteSize ? Dotnet : new("w" + BenchOptions.Format(bytes).Replace(" ", "", StringComparison.Ordinal), (int)bytes, false)
                : throw new ArgumentException($"--clients: a write size between 1 byte and 16 MiB, not {bytes.ToString(CultureInfo.InvariantCulture)}.");
        }
        throw new ArgumentException($"--clients: unknown client '{text}' (dotnet, dotnet:SIZE, curl).");
    }
}
