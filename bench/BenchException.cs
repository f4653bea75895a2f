namespace Bench;

/// <summary>A failure the benchmark explains in one message (no stack trace needed).</summary>
internal sealed class BenchException(string message) : Exception(message);
