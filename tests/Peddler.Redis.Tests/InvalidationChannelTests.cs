using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using StackExchange.Redis;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>The invalidation channel (<see cref="InvalidationChannel"/>): published fingerprints reach subscribers until they dispose.</summary>
public sealed class InvalidationChannelTests
{
    [Fact]
    public async Task A_subscription_receives_its_client_s_fingerprints_and_nothing_after_it_is_disposed()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        var logs = new LogSink();
        PeddlerRedisTokenCacheOptions options = Parts.Options(cache);
        await using RedisConnection first = Parts.Connect(options);
        await using RedisConnection second = Parts.Connect(options);
        var outage = new RedisOutage(first, options, Parts.Logger(logs), TimeProvider.System);
        var channel = new InvalidationChannel(first, options, outage, Parts.Logger(logs));
        var sentinelChannel = new InvalidationChannel(second, options, outage, Parts.Logger(logs));
        IDatabase db = (await first.GetConnectedAsync(TimeSpan.FromSeconds(30), default))!.GetDatabase();

        var received = new ConcurrentQueue<string>();
        var sentinel = new ConcurrentQueue<string>();
        IDisposable subscription = channel.Subscribe("client-a", received.Enqueue);
        using IDisposable other = sentinelChannel.Subscribe("client-a", sentinel.Enqueue);
        using IDisposable otherClient = channel.Subscribe("client-b", _ => Assert.Fail("another client's channel"));

        // Published until both subscriptions are made (they are made in the background).
        await Parts.UntilAsync(async () =>
        {
            await channel.PublishAsync(db, "client-a", "0badf00d", default);
            return received.Contains("0badf00d") && sentinel.Contains("0badf00d");
        });
        Assert.True(logs.Count("SharedTokenInvalidated") >= 1);

        // Disposed (twice: no harm): once only the sentinel receives, a new fingerprint reaches it alone.
        subscription.Dispose();
        subscription.Dispose();
        RedisChannel name = RedisChannel.Literal(options.KeyPrefix + "invalidated:client-a");
        await Parts.UntilAsync(async () => await db.PublishAsync(name, "probe") == 1);
        await channel.PublishAsync(db, "client-a", "1234abcd", default);
        await Parts.UntilAsync(() => Task.FromResult(sentinel.Contains("1234abcd")));
        Assert.DoesNotContain("1234abcd", received);
    }

    [Fact]
    public async Task A_publish_that_fails_is_not_logged_as_an_invalidation()
    {
        await using CacheServer cache = await CacheServer.StartDedicatedAsync();
        var logs = new LogSink();
        PeddlerRedisTokenCacheOptions options = Parts.Options(cache, o => o.OperationTimeout = TimeSpan.FromMilliseconds(300));
        await using RedisConnection connection = Parts.Connect(options);
        var outage = new RedisOutage(connection, options, Parts.Logger(logs), TimeProvider.System);
        var channel = new InvalidationChannel(connection, options, outage, Parts.Logger(logs));
        IDatabase db = (await connection.GetConnectedAsync(TimeSpan.FromSeconds(30), default))!.GetDatabase();
        await cache.StopAsync();

        await channel.PublishAsync(db, "client-a", "0badf00d", default);
        Assert.Equal(0, logs.Count("SharedTokenInvalidated"));
        Assert.False(outage.IsAvailable);
    }
}
