using System.Net;
using Gateway.Tests.Support;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Limits;

/// <summary>
/// Issue 23, finding 6: refused credentials are throttled per client address. Once an address has used up its
/// refusals, its requests with credentials get 429 and Retry-After before the credentials are checked, so
/// guessing learns nothing more, even with the right key; requests without credentials are not affected.
/// </summary>
public sealed class AuthFailureThrottleTests
{
    [Fact]
    public async Task Random_bearer_keys_from_one_address_are_answered_429_once_its_refusals_are_used_up()
    {
        // One refusal given back per minute: within this test the bucket only empties.
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            s["Gateway:Limits:FailedAuthentication:Burst"] = "5";
            s["Gateway:Limits:FailedAuthentication:PerMinute"] = "1";
        });
        var statuses = new List<int>();
        for (var i = 0; i < 120; i++)
        {
            using var guess = system.Gateway.CreateClient("guess-" + Guid.NewGuid().ToString("N"));
            using var response = await guess.GetAsync("/v1/uploads");
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single()) >= 1);
                var problem = await ExpectProblemAsync(response, 429, "rate_limited");
                // The address's refusals, not a tenant's request rate: no tenant is known before the credentials are checked.
                Assert.Contains("refused credentials from this address", problem.GetProperty("detail").GetString());
            }
        }

        Assert.Equal(5, statuses.Take(5).Count(s => s == 401));
        Assert.True(statuses.Count(s => s == 429) >= 110, string.Join(",", statuses));
        using var rightKey = system.Client();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await rightKey.GetAsync("/v1/uploads")).StatusCode);
        using var anonymous = system.Gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Accepted_credentials_use_none_of_the_addresss_refusals()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            s["Gateway:Limits:FailedAuthentication:Burst"] = "2";
            s["Gateway:Limits:FailedAuthentication:PerMinute"] = "1";
        });
        using var client = system.Client();
        for (var i = 0; i < 30; i++)
        {
            await ExpectAsync(await client.GetAsync("/v1/uploads"), HttpStatusCode.OK);
        }
        using var guess = system.Gateway.CreateClient("guess-key");

        await ExpectProblemAsync(await guess.GetAsync("/v1/uploads"), 401, "unauthorized");
    }
}
