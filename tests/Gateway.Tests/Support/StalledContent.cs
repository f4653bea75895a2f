namespace Gateway.Tests.Support;

/// <summary>
/// A request body that sends its first <paramref name="sendFirst"/> bytes, then waits for <paramref name="resume"/>:
/// a request held in flight for as long as a test needs (an instance about to die, or draining).
/// </summary>
internal sealed class StalledContent(byte[] bytes, int sendFirst, TaskCompletionSource halfSent, Task resume) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(0, sendFirst));
        await stream.FlushAsync();
        halfSent.TrySetResult();
        await resume;
        await stream.WriteAsync(bytes.AsMemory(sendFirst));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
