using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using ServiceDefaults;

namespace Gateway.Tests.Hosting;

/// <summary>
/// Secrets from files (docs/deploy.md): each file of the folder <c>SecretsDirectory</c> names is one setting, laid
/// out as Kubernetes mounts a Secret (each key a link into <c>..data</c>, itself a link to a timestamped folder).
/// </summary>
public sealed class SecretFilesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gateway-tests", "secrets-" + Guid.NewGuid().ToString("N"));

    public SecretFilesTests()
    {
        var version = Path.Combine(_folder, "..2026_12_07_03_00_00.000000001");
        Directory.CreateDirectory(version);
        File.WriteAllText(Path.Combine(version, "Gateway__Backends__box__Credential"), "from-the-secret");
        Directory.CreateSymbolicLink(Path.Combine(_folder, "..data"), version);
        File.CreateSymbolicLink(Path.Combine(_folder, "Gateway__Backends__box__Credential"), Path.Combine("..data", "Gateway__Backends__box__Credential"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_kubernetes_secret_mounted_as_a_folder_is_read_key_per_file_and_wins_over_the_environment()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = _folder });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SecretsDirectory"] = _folder,
            ["Gateway:Backends:box:Credential"] = "from-the-environment",
        });

        builder.AddSecretFiles();

        Assert.Equal("from-the-secret", builder.Configuration["Gateway:Backends:box:Credential"]);
        Assert.DoesNotContain(builder.Configuration.AsEnumerable(), setting => setting.Key.StartsWith("..", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_secrets_folder_nothing_is_added()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = _folder });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["SecretsDirectory"] = Path.Combine(_folder, "absent") });
        var sources = builder.Configuration.Sources.Count;

        builder.AddSecretFiles();

        Assert.Equal(sources, builder.Configuration.Sources.Count);
    }
}
