using System.Text.Json;
using Gateway.Backends;
using Gateway.Events;
using Gateway.Sessions;

namespace Gateway.Api.V1;

/// <summary>An event's <c>data</c> is the session body of <c>GET /v1/uploads/{id}</c>, whichever front made the session.</summary>
internal sealed class V1EventData(BackendRegistry backends) : IEventDataWriter
{
    public void Write(Utf8JsonWriter writer, UploadSession session, DateTimeOffset at) =>
        JsonSerializer.Serialize(writer, SessionBodies.From(session, backends, at), V1JsonContext.Default.SessionBody);
}
