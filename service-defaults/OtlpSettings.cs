using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace ServiceDefaults;

/// <summary>
/// Where OTLP goes: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, the
/// default, or <c>http/protobuf</c>), read from the host's configuration, so appsettings.json and command-line
/// arguments work as well as environment variables. Other <c>OTEL_EXPORTER_OTLP_*</c> variables (headers,
/// timeout, compression) are read by the exporter itself.
/// </summary>
internal sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol)
{
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The settings, or null when no endpoint is set (then nothing is exported); a bad value stops the start.</summary>
    public static OtlpSettings? From(IConfiguration configuration)
    {
        var endpoint = configuration[TelemetryExtensions.OtlpEndpointVariable];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException(
                $"{TelemetryExtensions.OtlpEndpointVariable} must be an absolute http(s) URL such as http://localhost:4317; it is '{endpoint}'.");
        }
        var protocol = configuration[ProtocolVariable] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"{ProtocolVariable} must be grpc or http/protobuf; it is '{other}'."),
        };
        return new OtlpSettings(uri, protocol);
    }

    /// <summary>Points one signal's exporter at the endpoint.</summary>
    /// <param name="signal">traces, metrics or logs.</param>
    public void Apply(OtlpExporterOptions options, string signal)
    {
        options.Protocol = Protocol;
        // The specification's rule for OTEL_EXPORTER_OTLP_ENDPOINT: over HTTP each signal has its own path under
        // the base URL; over gRPC the URL is used as it is. An endpoint set in code gets no path added, hence here.
        options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/v1/" + signal)
            : Endpoint;
    }
}
