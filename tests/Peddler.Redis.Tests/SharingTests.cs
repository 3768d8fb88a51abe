using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>Instances (each its own service container) share one token through Redis.</summary>
public sealed class SharingTests
{
    [Fact]
    public async Task Instances_that_miss_together_make_one_token_request_and_later_instances_none()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        FleetTokens[] instances = Enumerable.Range(0, 8).Select(_ => fleet.AddInstance()).ToArray();

        PeddlerAccessToken[] tokens = await Task.WhenAll(instances.Select(i => Task.Run(() => i.GetTokenAsync().AsTask())));

        Assert.True(tokens.Select(t => t.AccessToken).Distinct().Count() == 1, string.Join("\n", fleet.Logs.Entries.Select(e => $"{e.Category} {e.EventName} {e.Message}")));
        Assert.Equal(1, fleet.Server.TokenRequestCount);

        PeddlerAccessToken late = await fleet.AddInstance().GetTokenAsync();
        Assert.Equal(tokens[0].AccessToken, late.AccessToken);
        Assert.Equal(1, fleet.Server.TokenRequestCount);

        // The shared token is a real one: the API accepts it.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, fleet.Server.ApiEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", late.AccessToken);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Renewal_ahead_of_expiry_happens_once_per_fleet_and_never_hands_back_the_old_token()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache, time);
        fleet.Server.TokenLifetime = TimeSpan.FromSeconds(10);
        FleetTokens a = fleet.AddInstance(timeProvider: time, client: o => o.RefreshMargin = TimeSpan.FromSeconds(2));
        FleetTokens b = fleet.AddInstance(timeProvider: time, client: o => o.RefreshMargin = TimeSpan.FromSeconds(2));
        PeddlerAccessToken first = await a.GetTokenAsync();
        Assert.Equal(first.AccessToken, (await b.GetTokenAsync()).AccessToken);

        // Past both instances' refresh point (10 s - 2 s) but before expiry: the shared token is
        // still valid, yet too close to expiry to hand out, and it is the one being renewed.
        time.Advance(TimeSpan.FromSeconds(8.5));
        PeddlerAccessToken[] renewed = await Task.WhenAll(Task.Run(() => a.GetTokenAsync().AsTask()), Task.Run(() => b.GetTokenAsync().AsTask()));

        Assert.Single(renewed.Select(t => t.AccessToken).Distinct());
        Assert.NotEqual(first.AccessToken, renewed[0].AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_token_refused_by_an_API_is_dropped_by_every_instance()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        FleetTokens a = fleet.AddInstance();
        FleetTokens b = fleet.AddInstance();
        PeddlerAccessToken refused = await a.GetTokenAsync();
        Assert.Equal(refused.AccessToken, (await b.GetTokenAsync()).AccessToken);

        a.InvalidateToken(refused);
        PeddlerAccessToken replacement = await a.GetTokenAsync();
        Assert.NotEqual(refused.AccessToken, replacement.AccessToken);

        // b is told over pub/sub; once it has dropped the refused token it reads a's replacement.
        PeddlerAccessToken seenByB = refused;
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (seenByB.AccessToken == refused.AccessToken && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            seenByB = await b.GetTokenAsync();
        }

        Assert.Equal(replacement.AccessToken, seenByB.AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);

        // An instance that starts later is not handed the refused token either.
        Assert.Equal(replacement.AccessToken, (await fleet.AddInstance().GetTokenAsync()).AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Run_time_carriers_are_shared_per_carrier_and_a_refused_one_is_dropped_by_every_instance()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.AddCarriers(Fleet.ClientId, ["900002", "900003"]);
        FleetTokens a = fleet.AddInstance();
        FleetTokens b = fleet.AddInstance();

        PeddlerAccessToken second = await a.GetCarrierTokenAsync("900002");
        PeddlerAccessToken third = await a.ForCarrier("900003").GetTokenAsync();
        Assert.Equal("DEFAULT authenticated 900002", second.Scope);
        Assert.Equal("DEFAULT authenticated 900003", third.Scope);

        // b takes each carrier's token from the fleet: one request per carrier, not per instance.
        Assert.Equal(second.AccessToken, (await b.GetCarrierTokenAsync("900002")).AccessToken);
        Assert.Equal(third.AccessToken, (await b.ForCarrier("900003").GetTokenAsync()).AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);

        // An API refused carrier 900002's token at a: b drops it too (pub/sub), and 900003 is untouched.
        a.ForCarrier("900002").InvalidateToken(second);
        PeddlerAccessToken replacement = await a.GetCarrierTokenAsync("900002");
        Assert.NotEqual(second.AccessToken, replacement.AccessToken);
        PeddlerAccessToken seenByB = second;
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (seenByB.AccessToken == second.AccessToken && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            seenByB = await b.GetCarrierTokenAsync("900002");
        }

        Assert.Equal(replacement.AccessToken, seenByB.AccessToken);
        Assert.Equal(third.AccessToken, (await b.GetCarrierTokenAsync("900003")).AccessToken);
        Assert.Equal(3, fleet.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_lock_that_is_never_released_delays_an_instance_by_the_wait_timeout_only()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        await fleet.AddInstance().GetTokenAsync();

        // Found from the shared entry: "{prefix}token:{cache key}"; the lock is "{prefix}lock:{cache key}".
        string tokenKey = (await RedisInspector.DumpAsync(cache)).Select(k => k.Key).Single(k => k.StartsWith(fleet.KeyPrefix + "token:", StringComparison.Ordinal));
        string lockKey = fleet.KeyPrefix + "lock:" + tokenKey[(fleet.KeyPrefix + "token:").Length..];
        await using (var redis = await RedisInspector.ConnectAsync(cache))
        {
            // The shared token is gone and a stuck instance holds the lock for a minute.
            Assert.True(await redis.GetDatabase().KeyDeleteAsync(tokenKey));
            Assert.True(await redis.GetDatabase().StringSetAsync(lockKey, "stuck-instance", TimeSpan.FromMinutes(1)));
        }

        FleetTokens late = fleet.AddInstance(o => o.WaitTimeout = TimeSpan.FromSeconds(1));
        PeddlerAccessToken token = await late.GetTokenAsync();

        Assert.NotNull(token);
        Assert.Equal(1, fleet.Logs.Count("FleetWaitTimedOut"));
        Assert.Equal(2, fleet.Server.TokenRequestCount);
    }
}
