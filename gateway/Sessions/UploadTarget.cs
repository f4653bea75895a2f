using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Gateway.Sessions;

/// <summary>
/// Where the object lands, in its backend's own terms: a JSON object that only that backend reads (the sandbox's
/// <c>{"sandbox_id", "path", "user"}</c>, Box's <c>{"folder_id", "file_name"}</c>, …). The core, the store and the
/// fronts carry it whole and never look inside; the backend parses it into its own typed record
/// (<see cref="Read{T}"/>), and its normalized form is what the session stores and the contract answers with.
/// </summary>
/// <remarks>Written and read as the object itself on every wire (<see cref="Converter"/>), never as a string.</remarks>
[JsonConverter(typeof(Converter))]
internal sealed class UploadTarget : IEquatable<UploadTarget>
{
    private object? _typed;

    private UploadTarget(string json) => Json = json;

    /// <summary>The document as compact JSON text: an object.</summary>
    public string Json { get; }

    /// <summary>A target from JSON text; throws <see cref="JsonException"/> unless it is one JSON object.</summary>
    public static UploadTarget Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return From(document.RootElement);
    }

    /// <summary>A backend's typed target as its document.</summary>
    public static UploadTarget Of<T>(T value, JsonTypeInfo<T> type) where T : class =>
        new(JsonSerializer.Serialize(value, type)) { _typed = value };

    /// <summary>
    /// The document as the backend's typed record, parsed once per instance: the part path reads a session's
    /// target for every part.
    /// </summary>
    public T Read<T>(JsonTypeInfo<T> type) where T : class
    {
        if (_typed is T typed)
        {
            return typed;
        }
        var read = JsonSerializer.Deserialize(Json, type) ?? throw new JsonException("The target is null.");
        _typed = read;
        return read;
    }

    /// <summary>The document's members, for a backend that checks a target member by member.</summary>
    public JsonElement Element()
    {
        using var document = JsonDocument.Parse(Json);
        return document.RootElement.Clone();
    }

    public bool Equals(UploadTarget? other) => other is not null && string.Equals(Json, other.Json, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as UploadTarget);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Json);

    public override string ToString() => Json;

    private static UploadTarget From(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
            ? new UploadTarget(element.GetRawText())
            : throw new JsonException("target must be a JSON object.");

    /// <summary>Reads and writes the document as the JSON object it is.</summary>
    internal sealed class Converter : JsonConverter<UploadTarget>
    {
        public override UploadTarget Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return From(document.RootElement);
        }

        public override void Write(Utf8JsonWriter writer, UploadTarget value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: true);
    }
}
