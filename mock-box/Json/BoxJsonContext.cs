using System.Text.Json.Serialization;
using MockBox.Errors;
using MockBox.Files;
using MockBox.Sessions;
using MockBox.Testing;

namespace MockBox.Json;

/// <summary>
/// Source-generated JSON for every shape the mock writes or reads, in Box's snake_case. Nulls are written,
/// as Box writes them (<c>"context_info": null</c>, <c>"trashed_at": null</c>).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(UploadSessionResource))]
[JsonSerializable(typeof(UploadedPartResource))]
[JsonSerializable(typeof(UploadPartsResource))]
[JsonSerializable(typeof(FilesResource))]
[JsonSerializable(typeof(FileResource))]
[JsonSerializable(typeof(FileConflictResource))]
[JsonSerializable(typeof(FolderResource))]
[JsonSerializable(typeof(MockSettingsResource))]
[JsonSerializable(typeof(MockSettingsPatch))]
[JsonSerializable(typeof(MockFolderRequest))]
internal sealed partial class BoxJsonContext : JsonSerializerContext;
