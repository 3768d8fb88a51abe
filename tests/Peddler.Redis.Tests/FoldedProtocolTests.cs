using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Peddler.Testing;
using StackExchange.Redis;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>
/// The fleet protocol in two round trips per cold carrier: one script reads the entry or else takes
/// the lock, one writes the entry (with its TTL) and releases the lock if still owned. Counted on
/// the wire (<see cref="FaultyRelay"/> records every command a client sends), and checked in Redis.
/// </summary>
public sealed class FoldedProtocolTests
{
    // Commands that read or write the fleet's keys (the connection's own housekeeping, PING, INFO,
    // CLIENT, SUBSCRIBE…, is not per carrier and is left out).
    private static readonly HashSet<string> s_dataCommands = new(StringComparer.Ordinal)
    {
        "GET", "SET", "SETEX", "PSETEX", "GETEX", "DEL", "UNLINK", "EXISTS", "HGET", "HMGET", "HGETALL", "HSET", "HMSET",
        "EXPIRE", "PEXPIRE", "EVAL", "EVALSHA", "SCRIPT", "MULTI", "EXEC", "WATCH", "PUBLISH",
    };

    [Fact]
    public async Task A_cold_carrier_costs_two_Redis_round_trips_beside_its_token_request_and_a_warm_one_a_single_one()
    {
        const int Carriers = 20;
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using FaultyRelay relay = FaultyRelay.To(cache);
        await using Fleet fleet = await Fleet.StartAsync(cache);
        string[] carriers = Enumerable.Range(910_001, Carriers).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        fleet.Server.AddCarriers(Fleet.ClientId, carriers);
        FleetTokens a = fleet.AddInstance(o => o.Configuration = relay.Configuration);
        FleetTokens b = fleet.AddInstance(o => o.Configuration = relay.Configuration);

        // Connected, scripts loaded, subscriptions made: what is left is per carrier.
        await a.GetTokenAsync();
        await b.GetTokenAsync();
        Assert.Equal(1, fleet.Server.TokenRequestCount);

        int before = DataCommands(relay).Count;
        PeddlerAccessToken[] cold = new PeddlerAccessToken[Carriers];
        for (int i = 0; i < Carriers; i++)
        {
            cold[i] = await a.GetCarrierTokenAsync(carriers[i]);
        }

        List<string> coldCommands = DataCommands(relay).Skip(before).ToList();
        Assert.Equal(1 + Carriers, fleet.Server.TokenRequestCount);
        Assert.True(coldCommands.Count == 2 * Carriers, $"{coldCommands.Count} commands for {Carriers} cold carriers: {string.Join(" ", coldCommands)}");
        Assert.All(coldCommands, c => Assert.Equal("EVALSHA", c)); // the script text is not sent again

        // Another instance finds every entry with one round trip each, and asks for nothing.
        before = DataCommands(relay).Count;
        for (int i = 0; i < Carriers; i++)
        {
            Assert.Equal(cold[i].AccessToken, (await b.GetCarrierTokenAsync(carriers[i])).AccessToken);
        }

        List<string> warmCommands = DataCommands(relay).Skip(before).ToList();
        Assert.Equal(1 + Carriers, fleet.Server.TokenRequestCount);
        Assert.True(warmCommands.Count == Carriers, $"{warmCommands.Count} commands for {Carriers} shared carriers: {string.Join(" ", warmCommands)}");
    }

    [Fact]
    public async Task The_entry_is_written_with_the_token_s_TTL_and_the_lock_is_released_in_the_same_round_trip()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.TokenLifetime = TimeSpan.FromMinutes(30);
        string[] carriers = ["920001", "920002", "920003"];
        fleet.Server.AddCarriers(Fleet.ClientId, carriers);
        FleetTokens a = fleet.AddInstance();
        await using IConnectionMultiplexer redis = await RedisInspector.ConnectAsync(cache);
        IDatabase db = redis.GetDatabase();

        foreach (string carrier in carriers)
        {
            HashSet<string> before = await EntryKeysAsync(fleet, cache);
            PeddlerAccessToken token = await a.GetCarrierTokenAsync(carrier);

            // One new entry: a hash (RedisCache's layout) whose TTL is the token's remaining lifetime, not unbounded.
            string entryKey = Assert.Single((await EntryKeysAsync(fleet, cache)).Except(before));
            Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(entryKey));
            TimeSpan remaining = token.ExpiresAt - DateTimeOffset.UtcNow;
            TimeSpan? ttl = await db.KeyTimeToLiveAsync(entryKey);
            Assert.True(ttl is { } t && t <= remaining + TimeSpan.FromSeconds(1) && t > remaining - TimeSpan.FromMinutes(1), $"TTL {ttl}, token expires in {remaining}");
            Assert.True((long)await db.HashGetAsync(entryKey, "absexp") > DateTimeOffset.UtcNow.UtcTicks);
            Assert.Equal(-1, (long)await db.HashGetAsync(entryKey, "sldexp"));
            Assert.True(((byte[]?)await db.HashGetAsync(entryKey, "data"))?.Length > token.AccessToken.Length);

            // Released with the write: no lock is left for any carrier.
            Assert.DoesNotContain((await RedisInspector.DumpAsync(cache)).Select(e => e.Key), k => k.StartsWith(fleet.KeyPrefix + "lock:", StringComparison.Ordinal));
        }

        Assert.Equal(3, fleet.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Instances_that_store_through_RedisCache_and_instances_that_use_the_scripts_share_entries_both_ways()
    {
        // The scripts keep RedisCache's layout (a hash: absexp, sldexp, data), so a fleet mid-upgrade,
        // or an instance whose registered IDistributedCache is a RedisCache, shares one entry per carrier.
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.AddCarriers(Fleet.ClientId, ["930001", "930002"]);
        void RegisterRedisCache(IServiceCollection services) => services.AddStackExchangeRedisCache(o => o.Configuration = cache.Configuration);
        FleetTokens throughRedisCache = fleet.AddInstance(o => o.UseRegisteredDistributedCache = true, register: RegisterRedisCache);
        FleetTokens scripted = fleet.AddInstance();

        PeddlerAccessToken written = await scripted.GetCarrierTokenAsync("930001");
        Assert.Equal(written.AccessToken, (await throughRedisCache.GetCarrierTokenAsync("930001")).AccessToken);

        PeddlerAccessToken writtenByRedisCache = await throughRedisCache.GetCarrierTokenAsync("930002");
        Assert.Equal(writtenByRedisCache.AccessToken, (await scripted.GetCarrierTokenAsync("930002")).AccessToken);

        Assert.Equal(2, fleet.Server.TokenRequestCount);
        Assert.DoesNotContain((await RedisInspector.DumpAsync(cache)).Select(e => e.Key), k => k.StartsWith(fleet.KeyPrefix + "lock:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task While_another_instance_holds_the_lock_nothing_is_requested_and_once_it_is_gone_the_lock_is_taken_and_released()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using FaultyRelay relay = FaultyRelay.To(cache);
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.AddCarriers(Fleet.ClientId, ["940001"]);
        FleetTokens a = fleet.AddInstance();
        FleetTokens b = fleet.AddInstance(o => o.Configuration = relay.Configuration);
        await b.GetTokenAsync();
        HashSet<string> before = await EntryKeysAsync(fleet, cache);
        PeddlerAccessToken old = await a.GetCarrierTokenAsync("940001");
        string entryKey = Assert.Single((await EntryKeysAsync(fleet, cache)).Except(before));
        Assert.Equal(2, fleet.Server.TokenRequestCount);

        // The carrier's entry is gone (expired) and another instance holds its lock (the entry key's twin).
        await using IConnectionMultiplexer redis = await RedisInspector.ConnectAsync(cache);
        IDatabase db = redis.GetDatabase();
        string lockKey = fleet.KeyPrefix + "lock:" + entryKey[(fleet.KeyPrefix + "token:").Length..];
        Assert.True(await db.KeyDeleteAsync(entryKey));
        Assert.True(await db.StringSetAsync(lockKey, "another-instance", TimeSpan.FromSeconds(60), When.NotExists));

        // b looks three times (one script call each, PollInterval apart) and requests nothing.
        int sent = DataCommands(relay).Count;
        Task<PeddlerAccessToken> waiting = b.GetCarrierTokenAsync("940001").AsTask();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (DataCommands(relay).Count < sent + 3 && !waiting.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Assert.False(waiting.IsCompleted, "b did not wait for the lock's holder");
        Assert.True(DataCommands(relay).Count >= sent + 3, "b did not look again while the lock was held");
        Assert.Equal(2, fleet.Server.TokenRequestCount);
        Assert.Equal("another-instance", (string?)await db.StringGetAsync(lockKey)); // never released by one who does not own it

        // The holder is gone without sharing: b takes the lock, requests, shares, releases.
        await db.KeyDeleteAsync(lockKey);
        PeddlerAccessToken taken = await waiting;
        Assert.NotEqual(old.AccessToken, taken.AccessToken);
        Assert.Equal(3, fleet.Server.TokenRequestCount);
        Assert.False(await db.KeyExistsAsync(lockKey), "b's lock was not released with its write");
        Assert.True(await db.KeyExistsAsync(entryKey));
        Assert.Equal(taken.AccessToken, (await fleet.AddInstance().GetCarrierTokenAsync("940001")).AccessToken);
        Assert.Equal(3, fleet.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_token_request_slower_than_the_lease_keeps_its_lock_extended_and_the_fleet_makes_one_request()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);

        // A 4.5 s lease (extended every 1.5 s) and a request of 6.5 s: without extensions the lock
        // would expire mid-request and b would request a token of its own. (The margin is wide on
        // purpose: on a loaded CI machine an extension may run a second or more late; a 1.5 s lease
        // failed there. FleetLockTests checks the extension schedule itself on a fake clock.)
        FleetTokens a = fleet.AddInstance(o => o.LockLease = TimeSpan.FromSeconds(4.5));
        FleetTokens b = fleet.AddInstance(o => o.LockLease = TimeSpan.FromSeconds(4.5));
        fleet.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromSeconds(6.5)));
        Task<PeddlerAccessToken> first = a.GetTokenAsync().AsTask();

        await using IConnectionMultiplexer redis = await RedisInspector.ConnectAsync(cache);
        IDatabase db = redis.GetDatabase();
        string? lockKey = null;
        while (lockKey is null && !first.IsCompleted)
        {
            lockKey = (await RedisInspector.DumpAsync(cache)).Select(e => e.Key).FirstOrDefault(k => k.StartsWith(fleet.KeyPrefix + "lock:", StringComparison.Ordinal));
        }

        Assert.NotNull(lockKey);
        PeddlerAccessToken second = await b.GetTokenAsync();

        Assert.Equal((await first).AccessToken, second.AccessToken);
        Assert.Equal(1, fleet.Server.TokenRequestCount);
        Assert.False(await db.KeyExistsAsync(lockKey), "the lock was not released after the write");
        Assert.Equal(1, fleet.Logs.Count("FleetLockAcquired"));
    }

    [Fact]
    public async Task A_flushed_script_cache_is_reloaded_without_a_failure()
    {
        // The scripts go by their SHA (EVALSHA); after SCRIPT FLUSH (or a server restart behind a
        // proxy) the server answers NOSCRIPT, and the client sends the script again.
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.AddCarriers(Fleet.ClientId, ["950001"]);
        FleetTokens a = fleet.AddInstance();
        await a.GetTokenAsync();
        await using (IConnectionMultiplexer redis = await RedisInspector.ConnectAsync(cache))
        {
            await redis.GetServer(redis.GetEndPoints()[0]).ScriptFlushAsync();
        }

        PeddlerAccessToken written = await a.GetCarrierTokenAsync("950001");
        Assert.Equal(written.AccessToken, (await fleet.AddInstance().GetCarrierTokenAsync("950001")).AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);
        Assert.Equal(0, fleet.Logs.Count("SharedCacheUnavailable"));
    }

    private static async Task<HashSet<string>> EntryKeysAsync(Fleet fleet, CacheServer cache) =>
        (await RedisInspector.DumpAsync(cache)).Select(e => e.Key).Where(k => k.StartsWith(fleet.KeyPrefix + "token:", StringComparison.Ordinal)).ToHashSet();

    private static List<string> DataCommands(FaultyRelay relay) => relay.Commands.Where(s_dataCommands.Contains).ToList();
}
