using UploadGateway.Cli;

return await Cli.RunAsync(args, CliEnvironment.FromProcess());
