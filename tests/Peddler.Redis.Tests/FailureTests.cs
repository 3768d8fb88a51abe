using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>The shared cache never makes things worse: without Redis, tokens still come from the endpoint in bounded time.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task Unreachable_Redis_still_gives_tokens_in_bounded_time_with_one_warning()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        string nowhere = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{CacheServer.FreePort()}");
        FleetTokens a = fleet.AddInstance(o => { o.Configuration = nowhere; o.OperationTimeout = TimeSpan.FromSeconds(1); });

        var clock = Stopwatch.StartNew();
        PeddlerAccessToken first = await a.GetTokenAsync();
        TimeSpan firstCall = clock.Elapsed;
        a.InvalidateToken(first);
        PeddlerAccessToken second = await a.GetTokenAsync();

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);

        // ConnectTimeout (2 s) bounds the first call; nothing else waits on Redis.
        Assert.True(firstCall < TimeSpan.FromSeconds(8), $"first token after {firstCall}");
        Assert.Single(fleet.Logs.Entries, e => e.EventName == "SharedCacheUnavailable" && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Cache_server_stopped_mid_run_calls_keep_succeeding_and_sharing_resumes_when_it_returns()
    {
        await using CacheServer cache = await CacheServer.StartDedicatedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        FleetTokens a = fleet.AddInstance(o => { o.RetryStoreAfter = TimeSpan.FromSeconds(1); o.OperationTimeout = TimeSpan.FromSeconds(1); });
        FleetTokens b = fleet.AddInstance(o => { o.RetryStoreAfter = TimeSpan.FromSeconds(1); o.OperationTimeout = TimeSpan.FromSeconds(1); });
        PeddlerAccessToken shared = await a.GetTokenAsync();
        Assert.Equal(shared.AccessToken, (await b.GetTokenAsync()).AccessToken);
        Assert.Equal(1, fleet.Server.TokenRequestCount);

        await cache.StopAsync();

        // Every call still gets a token, each within a bounded time.
        PeddlerAccessToken current = shared;
        for (int i = 0; i < 3; i++)
        {
            foreach (FleetTokens instance in new[] { a, b })
            {
                PeddlerAccessToken held = await instance.GetTokenAsync();
                instance.InvalidateToken(held);
                var clock = Stopwatch.StartNew();
                current = await instance.GetTokenAsync();
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"token after {clock.Elapsed}");
                Assert.NotEqual(held.AccessToken, current.AccessToken);
            }
        }

        Assert.Equal(7, fleet.Server.TokenRequestCount);
        Assert.Equal(2, fleet.Logs.Count("SharedCacheUnavailable")); // once per instance, not once per call

        await cache.RestartAsync();

        // Once a reconnects, its new token is shared again and b takes it without a request.
        PeddlerAccessToken sharedAgain = current;
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        bool stored = false;
        while (!stored && DateTime.UtcNow < deadline)
        {
            a.InvalidateToken(await a.GetTokenAsync());
            sharedAgain = await a.GetTokenAsync();
            stored = (await RedisInspector.DumpAsync(cache)).Any(e => e.Key.StartsWith(fleet.KeyPrefix + "token:", StringComparison.Ordinal));
            if (!stored)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(stored, "the cache never shared a token again after the server returned");

        // b reconnects on its own schedule (the client library's reconnect, then RetryStoreAfter);
        // until then it asks the endpoint itself, which is the bounded fallback. Once it is back,
        // it takes a's shared token without a request of its own.
        bool bShared = false;
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (!bShared && DateTime.UtcNow < deadline)
        {
            b.InvalidateToken(await b.GetTokenAsync());
            int requests = fleet.Server.TokenRequestCount;
            PeddlerAccessToken taken = await b.GetTokenAsync();
            bShared = taken.AccessToken == sharedAgain.AccessToken && requests == fleet.Server.TokenRequestCount;
            if (!bShared)
            {
                Assert.NotEqual(sharedAgain.AccessToken, taken.AccessToken); // never a's token at the cost of a request
                await Task.Delay(200);
            }
        }

        Assert.True(bShared, "b never took the shared token again after the server returned");
        Assert.Contains(fleet.Logs.Entries, e => e.EventName == "SharedCacheResumed");
    }

    [Fact]
    public async Task A_flushed_cache_costs_one_request_and_sharing_goes_on()
    {
        await using CacheServer cache = await CacheServer.StartDedicatedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        PeddlerAccessToken before = await fleet.AddInstance().GetTokenAsync();
        await using (var redis = await RedisInspector.ConnectAsync(cache))
        {
            await redis.GetServer(redis.GetEndPoints()[0]).FlushAllDatabasesAsync();
        }

        PeddlerAccessToken after = await fleet.AddInstance().GetTokenAsync();
        PeddlerAccessToken shared = await fleet.AddInstance().GetTokenAsync();

        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.Equal(after.AccessToken, shared.AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);
    }
}
