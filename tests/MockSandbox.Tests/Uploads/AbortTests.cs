using Microsoft.Extensions.Time.Testing;
using System.Net;
using MockSandbox.Tests.Support;
using TestSupport;

namespace MockSandbox.Tests.Uploads;

public sealed class AbortTests
{
    [Fact]
    public async Task Aborting_returns_the_session_aborted_and_deletes_its_staged_bytes()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(2 * SandboxMockHost.PartSize)).Id();
        await mock.PutPartOkAsync(id, 0, TestData.Bytes(40, 0, SandboxMockHost.PartSize));
        Assert.NotEmpty(Directory.EnumerateFiles(mock.StagingPath(id), "*", SearchOption.AllDirectories));

        using var response = await mock.AbortAsync(id);
        var session = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(id, session.Id());
        Assert.Equal("aborted", session.Status());
        Assert.Equal(0, session.Long("reserved_staging_bytes"));
        Assert.False(Directory.Exists(mock.StagingPath(id)));
        Assert.Equal(0, await mock.ReservedBytesAsync());
    }

    [Fact]
    public async Task Aborting_twice_is_idempotent()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        var id = (await mock.CreateFileSessionAsync(10)).Id();
        using var first = await mock.AbortAsync(id);
        clock.Advance(TimeSpan.FromMinutes(5));
        using var second = await mock.AbortAsync(id);
        var again = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal("aborted", again.Status());
        Assert.Equal((await ApiAssert.JsonAsync(first, HttpStatusCode.OK)).GetProperty("updated_at").GetString(), again.GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task Aborting_a_completed_upload_is_409_upload_conflict()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        var id = (await mock.CreateFileSessionAsync(0)).Id();
        await mock.CompleteOkAsync(id);
        using var response = await mock.AbortAsync(id);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "upload_conflict");
        Assert.Equal("completed", (await mock.GetStatusAsync(id)).Status());
    }

    [Fact]
    public async Task Aborting_an_unknown_upload_is_404_not_found()
    {
        await using var mock = await SandboxMockHost.StartAsync();
        using var response = await mock.AbortAsync("upload_00000000000000000000000000000000");
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
        using var sandbox = await mock.AbortAsync("upload_00000000000000000000000000000000", "sb_nothere1");
        await ApiAssert.ErrorAsync(sandbox, HttpStatusCode.NotFound, "sandbox_not_found");
    }
}
