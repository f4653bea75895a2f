using System.Text;

namespace Bench.Report;

/// <summary>A Markdown table whose columns are padded, so it reads in a terminal and pastes into docs/BENCHMARKS.md.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) => text.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
        Line(headers.Select((h, i) => h.PadRight(widths[i])));
        Line(widths.Select(w => new string('-', w)));
        foreach (var row in _rows)
        {
            // Numbers right-aligned, words left-aligned.
            Line(row.Select((c, i) => c.Length > 0 && (char.IsAsciiDigit(c[0]) || c[0] is '-' or '+') ? c.PadLeft(widths[i]) : c.PadRight(widths[i])));
        }
        return text.ToString();
    }
}
