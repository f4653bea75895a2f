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

// Ctrl-C or SIGTERM: stop measuring and clean up (children, temp folder); a second one kills the children at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (stop.IsCancellationRequested)
    {
        ChildProcess.KillAll();
        Environment.Exit(130);
    }
    Console.Error.WriteLine("Stopping…");
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();

try
{
    await BenchmarkRun.RunAsync(options, "dotnet run -c Release --project bench --" + string.Concat(args.Select(a => " " + a)), stop.Token);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Interrupted; services stopped.");
    return 130;
}
catch (BenchException e)
{
    Console.Error.WriteLine("Benchmark failed: " + e.Message);
    return 1;
}
finally
{
    ChildProcess.KillAll();
}
