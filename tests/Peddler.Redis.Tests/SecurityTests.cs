using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using StackExchange.Redis;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>What an attacker who can read Redis sees: no token, no secret.</summary>
public sealed class SecurityTests
{
    [Fact]
    public async Task No_key_or_value_in_Redis_holds_the_token_or_the_secret()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        FleetTokens a = fleet.AddInstance();
        FleetTokens b = fleet.AddInstance();
        PeddlerAccessToken first = await a.GetTokenAsync();
        await b.GetTokenAsync();
        a.InvalidateToken(first);
        PeddlerAccessToken second = await a.GetTokenAsync();

        var entries = await RedisInspector.DumpAsync(cache);

        // Not vacuous: this fleet's token entry is there, holding more bytes than the token.
        var ours = entries.Where(e => e.Key.StartsWith(fleet.KeyPrefix, StringComparison.Ordinal)).ToList();
        Assert.Contains(ours, e => e.Key.StartsWith(fleet.KeyPrefix + "token:", StringComparison.Ordinal) && e.Bytes.Length > second.AccessToken.Length);

        foreach (string secret in new[] { first.AccessToken, second.AccessToken, Fleet.ClientSecret })
        {
            byte[][] forms =
            [
                Encoding.UTF8.GetBytes(secret),
                Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))),
                Encoding.UTF8.GetBytes(Convert.ToHexString(Encoding.UTF8.GetBytes(secret))),
                Encoding.UTF8.GetBytes(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)).ToLowerInvariant()),
                Encoding.Unicode.GetBytes(secret),
            ];
            foreach ((string key, RedisType type, byte[] bytes) in entries)
            {
                foreach (byte[] form in forms)
                {
                    Assert.False(RedisInspector.Contains(Encoding.UTF8.GetBytes(key), form), $"key {key} reveals a secret");
                    Assert.False(RedisInspector.Contains(bytes, form), $"the {type} value of {key} reveals a secret");
                }
            }
        }
    }

    [Fact]
    public async Task A_tampered_entry_is_never_used()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        PeddlerAccessToken original = await fleet.AddInstance().GetTokenAsync();

        var entry = (await RedisInspector.DumpAsync(cache)).Single(e => e.Key.StartsWith(fleet.KeyPrefix + "token:", StringComparison.Ordinal));
        await using (var redis = await RedisInspector.ConnectAsync(cache))
        {
            IDatabase db = redis.GetDatabase();
            HashEntry data = (await db.HashGetAllAsync(entry.Key)).Single(h => h.Name == "data");
            byte[] flipped = (byte[])data.Value!;
            flipped[^1] ^= 0x01;
            await db.HashSetAsync(entry.Key, "data", flipped);
        }

        PeddlerAccessToken fresh = await fleet.AddInstance().GetTokenAsync();

        Assert.NotEqual(original.AccessToken, fresh.AccessToken);
        Assert.Equal(2, fleet.Server.TokenRequestCount);
        Assert.Contains(fleet.Logs.Entries, e => e.EventName == "SharedTokenUnreadable");
    }

    [Fact]
    public async Task Log_messages_of_the_shared_cache_never_hold_the_token_or_the_secret()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        FleetTokens a = fleet.AddInstance();
        PeddlerAccessToken token = await a.GetTokenAsync();
        await fleet.AddInstance().GetTokenAsync();
        a.InvalidateToken(token);
        await a.GetTokenAsync();

        var redisLogs = fleet.Logs.Entries.Where(e => e.Category.StartsWith("Peddler.Redis.", StringComparison.Ordinal)).ToList();
        Assert.Contains(redisLogs, e => e.EventName == "SharedTokenUsed" && e.Message.Contains(token.Fingerprint, StringComparison.Ordinal));
        Assert.DoesNotContain(fleet.Logs.Entries, e => e.Message.Contains(token.AccessToken, StringComparison.Ordinal) || e.Message.Contains(Fleet.ClientSecret, StringComparison.Ordinal));
    }
}
