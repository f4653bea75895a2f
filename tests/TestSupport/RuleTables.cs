using Xunit;

namespace TestSupport;

/// <summary>
/// The rules the gateway and the mocks each hold a copy of (the mocks stand for the real APIs, so they keep
/// their own), as one table of cases each: Gateway.Tests runs them against the gateway's rule, MockBox.Tests and
/// MockSandbox.Tests against the mock's, so the copies cannot drift apart. Where they disagreed, the spec decided
/// (as mock-box/README.md and mock-sandbox/README.md describe the real APIs). Only what both sides judge is here: the sandbox's
/// roots and relative paths are the sandbox's alone (the gateway forwards absolute paths and lets it judge them).
/// </summary>
public static class RuleTables
{
    /// <summary>
    /// Box's item names (Box's upload preflight, <c>item_name_invalid</c>): at most 255 characters, no
    /// non-printable ASCII, <c>/</c> or <c>\</c>, no trailing space, not <c>.</c> or <c>..</c>. A leading space and
    /// characters beyond ASCII are Box's to accept.
    /// </summary>
    public static TheoryData<string, string, bool> BoxFileNames => new()
    {
        { "a plain name", "report.pdf", true },
        { "a name of one character", "a", true },
        { "a name of 255 characters", new string('a', 255), true },
        { "a name of 256 characters", new string('a', 256), false },
        { "the empty name", "", false },
        { "a dot", ".", false },
        { "two dots", "..", false },
        { "three dots", "...", true },
        { "a leading dot", ".profile", true },
        { "a slash", "a/b", false },
        { "a backslash", "a\\b", false },
        { "a leading space", " report.pdf", true },
        { "a trailing space", "report.pdf ", false },
        { "a space inside", "annual report.pdf", true },
        { "a tab", "a\tb", false },
        { "a line feed", "a\nb", false },
        { "NUL", "a\0b", false },
        { "DEL", "a\u007Fb", false },
        { "letters beyond ASCII", "r\u00E9sum\u00E9 \u65E5\u672C.txt", true },
        { "a trailing no-break space", "report\u00A0", true },
    };

    /// <summary>Sandbox ids (mock-sandbox/README.md: <c>sb_</c> + 1–64 of <c>a-z0-9</c>): <c>sb_</c>, then 1 to 64 lowercase letters or digits.</summary>
    public static TheoryData<string, string, bool> SandboxIds => new()
    {
        { "the spec's example", "sb_a1b2c3d4", true },
        { "one character", "sb_a", true },
        { "64 characters", "sb_" + new string('a', 64), true },
        { "65 characters", "sb_" + new string('a', 65), false },
        { "nothing after the prefix", "sb_", false },
        { "an uppercase letter", "sb_A1b2", false },
        { "an uppercase prefix", "SB_a1b2", false },
        { "no prefix", "a1b2c3d4", false },
        { "a hyphen", "sb_a1-b2", false },
        { "a slash", "sb_a1/b2", false },
        { "a trailing line feed", "sb_a1b2\n", false },
        { "a leading space", " sb_a1b2", false },
        { "the empty id", "", false },
    };

    /// <summary>
    /// Absolute sandbox paths (mock-sandbox/README.md, <c>too_long</c>): normalized (single slashes, no <c>.</c> segments), no
    /// climbing out with <c>..</c>, no NUL, not empty; at most 1024 characters once normalized and 255 bytes a name.
    /// </summary>
    public static TheoryData<string, string, bool> SandboxPaths => new()
    {
        { "a file in the workspace", "/workspace/a.txt", true },
        { "doubled slashes and dot segments", "//workspace/./dir//a.txt", true },
        { "a trailing slash", "/workspace/dir/", true },
        { "the empty path", "", false },
        { "NUL", "/workspace/a\0b", false },
        { "climbing out of the root", "/workspace/../etc/passwd", false },
        { "climbing above /", "/../workspace/a", false },
        { "1024 characters once normalized", "/workspace" + Segments(1014), true },
        { "1025 characters once normalized", "/workspace" + Segments(1015), false },
        { "1024 characters once normalized, longer as written", "/workspace/." + Segments(1014), true },
        { "a name of 255 bytes", "/workspace/" + new string('a', 255), true },
        { "a name of 256 bytes", "/workspace/" + new string('a', 256), false },
        { "a name of 128 two-byte characters", "/workspace/" + new string('\u00E9', 128), false },
    };

    /// <summary><paramref name="length"/> characters of slash-separated names of at most 200 characters.</summary>
    private static string Segments(int length)
    {
        var text = new System.Text.StringBuilder();
        while (text.Length < length)
        {
            var name = Math.Min(200, length - text.Length - 1);
            text.Append('/').Append('n', name);
        }
        return text.ToString();
    }
}
