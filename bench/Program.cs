using System.Runtime.InteropServices;
using Bench;
using Bench.Services;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

// Ctrl-C or SIGTERM: stop measuring and clean up (children, temp folder). A terminal's Ctrl-C reaches the whole
// process group, and some senders signal both the process and its group, so a repeat within two seconds counts
// as the same request; a later one stops the children at once and leaves.
using var stop = new CancellationTokenSource();
var firstSignal = DateTime.MinValue;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (!stop.IsCancellationRequested)
    {
        firstSignal = DateTime.UtcNow;
        Console.Error.WriteLine("Stopping…");
        stop.Cancel();
    }
    else if (DateTime.UtcNow - firstSignal > TimeSpan.FromSeconds(2))
    {
        ChildProcess.KillAll();
        BenchmarkRun.DeleteWorkDirectory();
        Environment.Exit(130);
    }
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();

try
{
    await BenchmarkRun.RunAsync(options, "dotnet run -c Release --project bench --" + string.Concat(args.Select(a => " " + a)), stop.Token);
    return 0;
}
catch (Exception) when (stop.IsCancellationRequested)
{
    // Whatever broke after the stop (the services also got the terminal's Ctrl-C and closed their connections).
    Console.Error.WriteLine("Interrupted; services stopped.");
    return 130;
}
catch (BenchException e)
{
    Console.Error.WriteLine("Benchmark failed: " + e.Message);
    return 1;
}
catch (Exception e)
{
    // Caught rather than left unhandled, so that every finally block (stopping services, deleting files) runs.
    Console.Error.WriteLine("Benchmark failed: " + e);
    return 1;
}
finally
{
    ChildProcess.KillAll();
}
