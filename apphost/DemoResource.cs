namespace AppHost;

/// <summary>
/// The browser-upload demo (demo/, README.md "Browser uploads"): its app server under Node on 5090, a page on
/// an origin of its own that the gateway's Development settings allow, minting upload tokens with the dev key
/// at the gateway's public address. Added only when ./run has built its page (Node and npm present).
/// </summary>
internal static class DemoResource
{
    public const int Port = 5090;

    public static void AddDemo(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, string gatewayUrl)
    {
        var folder = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "demo"));
        var node = Executables.Find("node");
        if (node is null || !File.Exists(Path.Combine(folder, "public", "app.js")))
        {
            return;
        }
        builder.AddExecutable("demo", node, folder, "server.js")
            .WithHttpEndpoint(port: Port, env: "PORT", name: "http")
            .WithEnvironment("GATEWAY_URL", gatewayUrl)
            .WithEnvironment("GATEWAY_API_KEY", "dev-gateway-key")
            .WaitFor(gateway);
    }
}
