using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Hostile;

/// <summary>Requests HttpClient will not send: broken framing, bodies that stop or crawl. Bytes over a bare socket.</summary>
public sealed class RawHttp(Uri server) : IDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream? _stream;

    public async Task<NetworkStream> ConnectAsync()
    {
        await _tcp.ConnectAsync(server.Host, server.Port);
        return _stream = _tcp.GetStream();
    }

    public async Task SendAsync(string text) => await _stream!.WriteAsync(Encoding.Latin1.GetBytes(text));

    public Task SendAsync(byte[] bytes) => _stream!.WriteAsync(bytes).AsTask();

    /// <summary>The status code of the answer, or null when the server closed the connection without one.</summary>
    public async Task<int?> ReadStatusAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[256];
        var received = new StringBuilder();
        try
        {
            while (!received.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                var read = await _stream!.ReadAsync(buffer, cancel.Token);
                if (read == 0)
                {
                    break;
                }
                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
        }
        var line = received.ToString();
        return line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(line.AsSpan(9, 3)) : null;
    }

    public void Close() => _tcp.Client.Close();

    public void Dispose() => _tcp.Dispose();

    public static string Head(string method, string path, string apiKey, params string[] headers) =>
        $"{method} {path} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {apiKey}\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";
}
