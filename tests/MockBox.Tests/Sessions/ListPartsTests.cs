using System.Net;
using MockBox.Tests.Support;

namespace MockBox.Tests.Sessions;

/// <summary>mock-box/README.md operation 6.</summary>
public sealed class ListPartsTests
{
    [Fact]
    public async Task Parts_are_listed_in_ascending_offset_with_offset_and_limit_paging()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(150_000);
        foreach (var (offset, length) in new[] { (131072L, 18928L), (0L, 65536L), (65536L, 65536L) })
        {
            using var part = await box.PutPartAsync(session, seed: 2, offset, length);
            await BoxAssert.StatusAsync(part, HttpStatusCode.OK);
        }

        using var all = await box.Client.GetAsync(session.Endpoint("list_parts"));
        using var page = await box.Client.GetAsync(session.Endpoint("list_parts") + "?offset=1&limit=1");
        using var beyond = await box.Client.GetAsync(session.Endpoint("list_parts") + "?offset=5");

        var list = await BoxAssert.StatusAsync(all, HttpStatusCode.OK);
        Assert.Equal(3, list.GetProperty("total_count").GetInt64());
        Assert.Equal([0L, 65536L, 131072L], list.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()));
        Assert.Equal(TestData.Sha1Hex(2, 131072, 18928), list.GetProperty("entries")[2].GetProperty("sha1").GetString());
        Assert.Equal("offset", list.GetProperty("order")[0].GetProperty("by").GetString());
        Assert.Equal("ASC", list.GetProperty("order")[0].GetProperty("direction").GetString());

        var second = await BoxAssert.StatusAsync(page, HttpStatusCode.OK);
        Assert.Equal(3, second.GetProperty("total_count").GetInt64());
        Assert.Equal(1, second.GetProperty("offset").GetInt64());
        Assert.Equal(1, second.GetProperty("limit").GetInt64());
        Assert.Equal(65536, Assert.Single(second.GetProperty("entries").EnumerateArray()).GetProperty("offset").GetInt64());

        Assert.Empty((await BoxAssert.StatusAsync(beyond, HttpStatusCode.OK)).GetProperty("entries").EnumerateArray());
    }

    [Theory]
    [InlineData("", 100)]
    [InlineData("?limit=1000", 1000)]
    [InlineData("?limit=5000", 1000)]
    public async Task Limit_defaults_to_100_and_is_capped_at_1000(string query, long echoed)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);

        using var response = await box.Client.GetAsync(session.Endpoint("list_parts") + query);

        Assert.Equal(echoed, (await BoxAssert.StatusAsync(response, HttpStatusCode.OK)).GetProperty("limit").GetInt64());
    }

    [Theory]
    [InlineData("?offset=10001")]
    [InlineData("?offset=-1")]
    [InlineData("?offset=abc")]
    [InlineData("?limit=0")]
    [InlineData("?limit=ten")]
    public async Task Offset_above_10000_or_a_malformed_offset_or_limit_is_refused_with_400_bad_request(string query)
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);

        using var response = await box.Client.GetAsync(session.Endpoint("list_parts") + query);

        var error = await BoxAssert.ErrorAsync(response, 400, "bad_request");
        Assert.Equal("invalid_parameter", error.GetProperty("context_info").GetProperty("errors")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Offset_of_exactly_10000_is_accepted()
    {
        await using var box = await MockBoxHost.StartAsync();
        var session = await box.CreateSessionAsync(1000);

        using var response = await box.Client.GetAsync(session.Endpoint("list_parts") + "?offset=10000");

        await BoxAssert.StatusAsync(response, HttpStatusCode.OK);
    }
}
