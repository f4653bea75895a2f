using Gateway.Hosting;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Api.Tus.TusHttp;

namespace Gateway.Tests.Api.Tus;

/// <summary>
/// Issue 23, finding 2: the staging and spool folders are the service's own. Made 0700 with files 0600; a folder
/// that exists writable by others, or owned by another user, stops the gateway at start, named.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TusStagingFolderTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task Staged_bytes_are_in_folders_only_this_user_can_open()
    {
        var staging = Path.Combine(Path.GetTempPath(), "gateway-tests", Guid.NewGuid().ToString("N"), "tus");
        try
        {
            await using var system = await GatewayHarness.StartAsync(gateway: s =>
            {
                TusSettings.Apply(s);
                s["Gateway:Rechunking:StagingDirectory"] = staging;
            });
            using var client = system.Client();
            var location = await CreatedAsync(client, 100, Metadata(("filename", "private.bin")));
            using (var patch = await client.SendAsync(Patch(location, 0, new byte[10])))
            {
                Assert.Equal(204, (int)patch.StatusCode);
            }

            Assert.Equal(Private, File.GetUnixFileMode(staging));
            var upload = Path.Combine(staging, location[(location.LastIndexOf('/') + 1)..]);
            Assert.Equal(Private, File.GetUnixFileMode(upload));
            var files = Directory.GetFiles(upload);
            Assert.NotEmpty(files);
            Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(staging)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("Gateway:Rechunking:StagingDirectory")]
    [InlineData("Gateway:Forwarding:SpoolDirectory")]
    public async Task A_folder_others_may_write_to_stops_the_gateway_at_start(string setting)
    {
        var folder = Path.Combine(Path.GetTempPath(), "gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            // As a local attacker would leave it before the service first starts.
            File.SetUnixFileMode(folder, (UnixFileMode)0x1FF);
            await using var system = await GatewayHarness.StartAsync(gateway: TusSettings.Apply);
            var settings = new Dictionary<string, string?>(system.GatewaySettings) { [setting] = folder };

            var failure = await Assert.ThrowsAnyAsync<Exception>(() => LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), settings));

            Assert.Contains($"{setting} ({folder}) is writable by group or others", failure.ToString(), StringComparison.Ordinal);

            if (Environment.UserName == "root")
            {
                // Owned by another user (nobody), however private its mode.
                File.SetUnixFileMode(folder, Private);
                using (var chown = System.Diagnostics.Process.Start("chown", ["65534", folder]))
                {
                    await chown.WaitForExitAsync();
                }
                var foreign = await Assert.ThrowsAnyAsync<Exception>(() => LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), settings));
                Assert.Contains($"{setting} ({folder}) belongs to another user (uid 65534)", foreign.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
