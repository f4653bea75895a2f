using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Deploy;

/// <summary>
/// Which of a set of settings the gateway never reads: the gateway is built (not started) with the settings as its
/// last configuration source, which records every key asked of it; every options class the gateway registers is
/// bound (each <see cref="IOptions{TOptions}"/> of its own types resolved, so its validation runs too) and YARP's
/// configuration is loaded. A key none of them asked for is one nothing binds: misspelt, or of no class.
/// </summary>
internal static class GatewaySettings
{
    /// <summary>Read by the host, the runtime or the OpenTelemetry SDK rather than by a gateway options class.</summary>
    private static readonly string[] HostPrefixes = ["URLS", "ASPNETCORE_", "DOTNET_", "OTEL_", "Logging:"];

    public static List<string> Unread(IReadOnlyDictionary<string, string> settings)
    {
        var staging = Path.Combine(Path.GetTempPath(), "gateway-tests", "manifest-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The settings' own folders are the image's; here, places of the test's (same keys).
            var asGiven = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);
            foreach (var key in new[] { "Gateway:Rechunking:StagingDirectory", "Gateway:Forwarding:SpoolDirectory", ServiceDefaults.Extensions.SecretsDirectoryKey })
            {
                if (asGiven.ContainsKey(key))
                {
                    asGiven[key] = Path.Combine(staging, key.Replace(':', '-'));
                }
            }
            Directory.CreateDirectory(staging);
            var source = new RecordingSource(asGiven);
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = staging });
            builder.Configuration.Sources.Clear();
            ((IConfigurationBuilder)builder.Configuration).Add(source);
            builder.AddGateway();
            using var services = builder.Services.BuildServiceProvider();
            var gatewayAssembly = typeof(GatewayExtensions).Assembly;
            var optionsTypes = builder.Services
                .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
                .Select(d => d.ServiceType.GetGenericArguments()[0])
                .Where(t => t.Assembly == gatewayAssembly)
                .Distinct();
            foreach (var type in optionsTypes)
            {
                var options = services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type));
                _ = options.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(options);
            }
            _ = services.GetRequiredService<IProxyConfigProvider>().GetConfig();
            return [.. settings.Keys
                .Where(key => !source.Asked.Contains(key))
                .Where(key => !HostPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
                .Order(StringComparer.Ordinal)];
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private sealed class RecordingSource(Dictionary<string, string> settings) : IConfigurationSource
    {
        public HashSet<string> Asked { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this, settings);

        private sealed class Provider(RecordingSource source, Dictionary<string, string> settings) : ConfigurationProvider
        {
            public override void Load()
            {
                foreach (var (key, value) in settings)
                {
                    Data[key] = value;
                }
            }

            public override bool TryGet(string key, out string? value)
            {
                lock (source.Asked)
                {
                    source.Asked.Add(key);
                }
                return base.TryGet(key, out value);
            }
        }
    }
}
