using System.Text.Json;
using TestSupport;

namespace MockBox.Tests.Spec;

/// <summary>
/// Just enough of an OpenAPI 3.0 schema checker for Box's excerpt: <c>$ref</c>, <c>allOf</c> (merged),
/// <c>properties</c>, <c>required</c>, <c>nullable</c>, <c>type</c>, <c>enum</c>, <c>items</c>. Read from
/// <c>../shared/</c> at run time; never copied into the repository.
/// </summary>
internal sealed class OpenApiSchemas
{
    private static readonly Lazy<OpenApiSchemas> s_box = new(() =>
        new OpenApiSchemas(File.ReadAllText(SharedSpecs.PathOf("specs/box/box-chunked-uploads.openapi.json"))));

    private readonly JsonElement _document;

    private OpenApiSchemas(string json)
    {
        using var document = JsonDocument.Parse(json);
        _document = document.RootElement.Clone();
    }

    public static OpenApiSchemas Box => s_box.Value;

    public JsonElement Schema(string name) => _document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    /// <summary>The schema the spec gives for an operation's response, e.g. ("/files/upload_sessions", "post", "201").</summary>
    public JsonElement ResponseSchema(string path, string method, string status) =>
        _document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status)
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");

    /// <summary>The name a <c>$ref</c> points at (for messages and assertions).</summary>
    public static string RefName(JsonElement schema) => schema.GetProperty("$ref").GetString()!.Split('/')[^1];

    /// <summary>
    /// Problems of <paramref name="value"/> against <paramref name="schema"/>: wrong types, enum values,
    /// missing required properties, and (strict) properties the schema does not declare. With
    /// <paramref name="requireAll"/>, every declared property of the top-level object must be present.
    /// </summary>
    public List<string> Check(JsonElement value, JsonElement schema, bool requireAll = false, ISet<string>? openEnums = null)
    {
        var problems = new List<string>();
        Check(value, schema, "$", problems, requireAll, openEnums ?? new HashSet<string>());
        return problems;
    }

    /// <summary>A schema with its <c>$ref</c>s followed and its <c>allOf</c> parts merged.</summary>
    public Flat Flatten(JsonElement schema)
    {
        var flat = new Flat();
        Merge(schema, flat);
        return flat;
    }

    private void Check(JsonElement value, JsonElement schema, string at, List<string> problems, bool requireAll, ISet<string> openEnums)
    {
        var flat = Flatten(schema);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!flat.Nullable)
            {
                problems.Add($"{at} is null but not nullable");
            }
            return;
        }
        switch (flat.Type)
        {
            case "string" when value.ValueKind != JsonValueKind.String:
            case "integer" when value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _):
            case "number" when value.ValueKind != JsonValueKind.Number:
            case "boolean" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
            case "array" when value.ValueKind != JsonValueKind.Array:
            case "object" when value.ValueKind != JsonValueKind.Object:
                problems.Add($"{at} should be {flat.Type} but is {value.ValueKind}");
                return;
        }
        if (flat.Enum is { } allowed && value.ValueKind == JsonValueKind.String && !openEnums.Contains(at) && !allowed.Contains(value.GetString()!))
        {
            problems.Add($"{at} = '{value.GetString()}' is not one of [{string.Join(", ", allowed)}]");
        }
        if (flat.Format == "date-time" && value.ValueKind == JsonValueKind.String
            && !DateTimeOffset.TryParseExact(value.GetString(), "yyyy-MM-dd'T'HH:mm:sszzz", null, System.Globalization.DateTimeStyles.None, out _))
        {
            problems.Add($"{at} = '{value.GetString()}' is not an RFC 3339 date-time as Box writes them");
        }
        if (value.ValueKind == JsonValueKind.Array && flat.Items is { } items)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{at}[{index++}]", problems, requireAll: false, openEnums);
            }
        }
        if (value.ValueKind == JsonValueKind.Object && flat.Properties.Count > 0)
        {
            foreach (var name in requireAll ? flat.Properties.Keys.Union(flat.Required) : flat.Required)
            {
                if (!value.TryGetProperty(name, out _))
                {
                    problems.Add($"{at}.{name} is missing");
                }
            }
            foreach (var property in value.EnumerateObject())
            {
                if (flat.Properties.TryGetValue(property.Name, out var propertySchema))
                {
                    Check(property.Value, propertySchema, $"{at}.{property.Name}", problems, requireAll: false, openEnums);
                }
                else
                {
                    problems.Add($"{at}.{property.Name} is not declared by the schema");
                }
            }
        }
    }

    private void Merge(JsonElement schema, Flat flat)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Merge(Schema(reference.GetString()!.Split('/')[^1]), flat);
        }
        if (schema.TryGetProperty("allOf", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                Merge(part, flat);
            }
        }
        if (schema.TryGetProperty("type", out var type))
        {
            flat.Type = type.GetString();
        }
        if (schema.TryGetProperty("format", out var format))
        {
            flat.Format = format.GetString();
        }
        // allOf parts disagree on nullability in Box's spec ({nullable: true}, {nullable: false}); null is
        // allowed when any part allows it.
        if (schema.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean())
        {
            flat.Nullable = true;
        }
        if (schema.TryGetProperty("enum", out var values))
        {
            flat.Enum = [.. values.EnumerateArray().Select(v => v.GetString()!)];
        }
        if (schema.TryGetProperty("items", out var items))
        {
            flat.Items = items;
        }
        if (schema.TryGetProperty("required", out var required))
        {
            flat.Required.UnionWith(required.EnumerateArray().Select(r => r.GetString()!));
        }
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                flat.Properties[property.Name] = property.Value;
            }
            flat.Type ??= "object";
        }
    }

    internal sealed class Flat
    {
        public string? Type { get; set; }

        public string? Format { get; set; }

        public bool Nullable { get; set; }

        public HashSet<string>? Enum { get; set; }

        public JsonElement? Items { get; set; }

        public HashSet<string> Required { get; } = [];

        public Dictionary<string, JsonElement> Properties { get; } = [];
    }
}
