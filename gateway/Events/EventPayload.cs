using System.Buffers;
using System.Text.Json;
using Gateway.Sessions;

namespace Gateway.Events;

/// <summary>
/// Writes an event's <c>data</c>: the session as <c>GET /v1/uploads/{id}</c> returns it. The v1 front registers
/// it (it owns that body), so this core concern renders the same JSON without reaching up into a front.
/// </summary>
internal interface IEventDataWriter
{
    /// <param name="at">When the event happened: the body is the session as it was then.</param>
    void Write(Utf8JsonWriter writer, UploadSession session, DateTimeOffset at);
}

/// <summary>The body every endpoint receives: <c>{ "id", "type", "timestamp", "data" }</c> (docs/events.md).</summary>
internal static class EventPayload
{
    public static byte[] Render(StoredEvent stored, IEventDataWriter data)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", stored.EventId);
            writer.WriteString("type", stored.Type);
            writer.WriteString("timestamp", stored.At.UtcDateTime);
            writer.WritePropertyName("data");
            data.Write(writer, stored.Session, stored.At);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
