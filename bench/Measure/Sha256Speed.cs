using System.Diagnostics;
using System.Security.Cryptography;

namespace Bench.Measure;

/// <summary>
/// What one SHA-256 pass costs on this machine, in CPU seconds per GiB: the OpenSSL the gateway hashes with
/// (<see cref="IncrementalHash"/>), over 512 MiB in 1 MiB appends, once the runs are over (the benchmark's other
/// threads are idle then, so its process's CPU time is this loop's). The floor of any whole-object SHA-256 check,
/// whoever makes it.
/// </summary>
internal static class Sha256Speed
{
    private const int Rounds = 512;

    public static double CpuSecondsPerGiB()
    {
        var buffer = new byte[1 << 20];
        Random.Shared.NextBytes(buffer);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(buffer);
        hash.GetHashAndReset();
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < Rounds; i++)
        {
            hash.AppendData(buffer);
        }
        hash.GetHashAndReset();
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds * 1024 / Rounds;
    }
}
