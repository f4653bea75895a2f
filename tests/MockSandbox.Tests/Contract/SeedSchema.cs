using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace MockSandbox.Tests.Contract;

/// <summary>One field of the status object as the seed documents it.</summary>
internal sealed record SeedField(string Name, string Type, bool Required, IReadOnlyList<string> Options);

/// <summary>
/// The status object read from the seed (<c>../shared/seeds/000_d533a625bff33469.txt</c>) at run time: the
/// field list of its "Response" section (name, type, required, enum options) and the example JSON.
/// </summary>
internal sealed partial class SeedSchema
{
    public const string SeedFile = "seeds/000_d533a625bff33469.txt";

    private SeedSchema(IReadOnlyList<SeedField> fields, JsonElement example)
    {
        Fields = fields;
        Example = example;
    }

    public IReadOnlyList<SeedField> Fields { get; }

    public JsonElement Example { get; }

    public SeedField this[string name] => Fields.Single(f => f.Name == name);

    public static SeedSchema Load()
    {
        var text = File.ReadAllText(SharedSpecs.PathOf(SeedFile));
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();

        // The example: from the first line that is "{" to the next line that is "}".
        var open = lines.IndexOf("{");
        var close = lines.IndexOf("}", open);
        using var document = JsonDocument.Parse(string.Join('\n', lines.Skip(open).Take(close - open + 1)));

        // The field list: after "Response", entries of "name / type / [required] / [Available options: a, b]".
        var fields = new List<SeedField>();
        var i = lines.IndexOf("Response");
        Assert.True(i >= 0, "the seed has no Response section");
        for (; i < lines.Count - 1; i++)
        {
            if (!Name().IsMatch(lines[i]) || !Type().IsMatch(lines[i + 1]))
            {
                continue;
            }
            var name = lines[i];
            var type = lines[i + 1];
            var j = i + 2;
            var required = j < lines.Count && lines[j] == "required";
            var options = new List<string>();
            if (type.StartsWith("enum", StringComparison.Ordinal))
            {
                j = lines.IndexOf("Available options:", j) + 1;
                while (true)
                {
                    options.Add(lines[j].TrimEnd(','));
                    if (!lines[j].EndsWith(',')) break;
                    j++;
                }
            }
            fields.Add(new SeedField(name, type, required, options));
        }
        return new SeedSchema(fields, document.RootElement.Clone());
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^(string|integer|number|boolean|object|array|enum)(<[^>]+>)?$")]
    private static partial Regex Type();
}
