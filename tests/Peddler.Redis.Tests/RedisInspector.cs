using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Peddler.Redis.Tests;

/// <summary>Reads a Redis server directly, as an attacker with access to it would: every key and every value.</summary>
internal static class RedisInspector
{
    public static async Task<IConnectionMultiplexer> ConnectAsync(CacheServer cache) =>
        await ConnectionMultiplexer.ConnectAsync(cache.Configuration + ",allowAdmin=true");

    /// <summary>Each key with all the bytes stored under it (string value, hash fields and values, list, set and sorted-set members).</summary>
    public static async Task<List<(string Key, RedisType Type, byte[] Bytes)>> DumpAsync(CacheServer cache)
    {
        await using IConnectionMultiplexer redis = await ConnectAsync(cache);
        IDatabase db = redis.GetDatabase();
        var result = new List<(string, RedisType, byte[])>();
        foreach (var endpoint in redis.GetEndPoints())
        {
            await foreach (RedisKey key in redis.GetServer(endpoint).KeysAsync(pattern: "*", pageSize: 1000))
            {
                RedisType type = await db.KeyTypeAsync(key);
                var bytes = new List<byte>();
                switch (type)
                {
                    case RedisType.String:
                        bytes.AddRange((byte[]?)await db.StringGetAsync(key) ?? []);
                        break;
                    case RedisType.Hash:
                        foreach (HashEntry entry in await db.HashGetAllAsync(key))
                        {
                            bytes.AddRange((byte[]?)entry.Name ?? []);
                            bytes.AddRange((byte[]?)entry.Value ?? []);
                        }

                        break;
                    case RedisType.List:
                        foreach (RedisValue value in await db.ListRangeAsync(key))
                        {
                            bytes.AddRange((byte[]?)value ?? []);
                        }

                        break;
                    case RedisType.Set:
                        foreach (RedisValue value in await db.SetMembersAsync(key))
                        {
                            bytes.AddRange((byte[]?)value ?? []);
                        }

                        break;
                    case RedisType.SortedSet:
                        foreach (RedisValue value in await db.SortedSetRangeByRankAsync(key))
                        {
                            bytes.AddRange((byte[]?)value ?? []);
                        }

                        break;
                    case RedisType.None:
                        continue;
                    default:
                        throw new InvalidOperationException($"Key of unexpected type {type}.");
                }

                result.Add((key.ToString(), type, bytes.ToArray()));
            }
        }

        return result;
    }

    public static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
