using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Bench.Measure;

/// <summary><c>used_memory</c> from a redis-server's <c>INFO memory</c>, over a plain RESP connection (no client library in the bench).</summary>
internal static class RedisInfo
{
    public static async Task<long> UsedMemoryAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n"u8.ToArray(), cancellationToken);
        // A bulk string: "$<length>\r\n<text>\r\n".
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int? length = null;
        var headerEnd = 0;
        while (length is null || received.Length < headerEnd + length)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new BenchException($"redis-server on port {port} closed the connection during INFO.");
            }
            received.Write(buffer, 0, read);
            if (length is null)
            {
                var text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
                var newline = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (newline > 0)
                {
                    length = int.Parse(text[1..newline], CultureInfo.InvariantCulture);
                    headerEnd = newline + 2;
                }
            }
        }
        var info = Encoding.ASCII.GetString(received.GetBuffer(), headerEnd, length.Value);
        var line = info.Split("\r\n").FirstOrDefault(l => l.StartsWith("used_memory:", StringComparison.Ordinal))
            ?? throw new BenchException("INFO memory has no used_memory.");
        return long.Parse(line["used_memory:".Length..], CultureInfo.InvariantCulture);
    }
}
