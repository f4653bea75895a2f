using System.Text.Json.Serialization;

namespace Gateway.Api.Tus;

/// <summary>The tus front's own files (partial uploads' records), serialized without reflection.</summary>
[JsonSerializable(typeof(PartialUpload))]
internal sealed partial class TusJsonContext : JsonSerializerContext;
