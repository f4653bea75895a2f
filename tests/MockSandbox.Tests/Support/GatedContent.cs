using System.Net;

namespace MockSandbox.Tests.Support;

/// <summary>
/// A request body that sends its first bytes, then waits for <paramref name="gate"/> before sending the rest:
/// the request stays in flight on the server for as long as the test wants, without any timing.
/// </summary>
internal sealed class GatedContent(byte[] head, byte[] tail, Task gate) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(head);
        await stream.FlushAsync();
        await gate;
        await stream.WriteAsync(tail);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = head.Length + tail.Length;
        return true;
    }
}

internal static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. The deadline only stops a broken test from
    /// hanging; nothing is asserted about how long it took.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting until {what}");
            await Task.Delay(10);
        }
    }
}
