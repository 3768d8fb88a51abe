using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>The lock protocol (<see cref="FleetLock"/>, <see cref="LeaseExtender"/>) against a real server.</summary>
public sealed class FleetLockTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _timers = new();
    private readonly LogSink _logs = new();
    private CacheServer _cache = null!;
    private RedisConnection _connection = null!;
    private IConnectionMultiplexer _inspector = null!;
    private PeddlerRedisTokenCacheOptions _options = null!;
    private FleetLock _locks = null!;
    private IDatabase _db = null!;
    private IDatabase _server = null!;
    private RedisKey _lockKey;
    private RedisKey _entryKey;

    public async Task InitializeAsync()
    {
        _cache = await CacheServer.StartSharedAsync();
        _options = Parts.Options(_cache, o => o.LockLease = TimeSpan.FromSeconds(60));
        _connection = Parts.Connect(_options);
        _locks = new FleetLock(_options, new RedisOutage(_connection, _options, Parts.Logger(_logs), TimeProvider.System), entriesInRedis: true, _timers);
        _db = (await _connection.GetConnectedAsync(TimeSpan.FromSeconds(30), default))!.GetDatabase();
        _inspector = await RedisInspector.ConnectAsync(_cache);
        _server = _inspector.GetDatabase();
        _lockKey = _options.KeyPrefix + "lock:carrier";
        _entryKey = _options.KeyPrefix + "token:carrier";
    }

    public void Dispose() => _logs.Dispose();

    public async Task DisposeAsync()
    {
        await _inspector.DisposeAsync();
        await _connection.DisposeAsync();
        await _cache.DisposeAsync();
    }

    [Fact]
    public async Task A_lock_is_taken_once_and_released_only_by_its_owner()
    {
        Assert.True(await _locks.TryAcquireAsync(_db, _lockKey, "owner-a", default));
        Assert.False(await _locks.TryAcquireAsync(_db, _lockKey, "owner-b", default));
        TimeSpan? ttl = await _server.KeyTimeToLiveAsync(_lockKey);
        Assert.True(ttl > TimeSpan.FromSeconds(50) && ttl <= TimeSpan.FromSeconds(60), $"lease {ttl}");

        await _locks.ReleaseAsync(_db, _lockKey, "owner-b");
        Assert.Equal("owner-a", (string?)await _server.StringGetAsync(_lockKey));
        await _locks.ReleaseAsync(_db, _lockKey, "owner-a");
        Assert.False(await _server.KeyExistsAsync(_lockKey));
        Assert.Equal(0, _logs.Count("SharedCacheUnavailable"));
    }

    [Fact]
    public async Task A_lock_is_extended_only_by_its_owner()
    {
        Assert.True(await _server.StringSetAsync(_lockKey, "owner-a", TimeSpan.FromSeconds(5)));

        // Extensions are fire and forget; a later command on the same connection is answered after them.
        _locks.Extend(new HeldLock(null!, _db, _lockKey, "owner-b"));
        await _db.PingAsync();
        Assert.True(await _server.KeyTimeToLiveAsync(_lockKey) <= TimeSpan.FromSeconds(5));

        _locks.Extend(new HeldLock(null!, _db, _lockKey, "owner-a"));
        await _db.PingAsync();
        Assert.True(await _server.KeyTimeToLiveAsync(_lockKey) > TimeSpan.FromSeconds(50));
    }

    [Fact]
    public async Task Held_locks_are_extended_every_third_of_the_lease_until_they_are_let_go()
    {
        Assert.True(await _locks.TryAcquireAsync(_db, _lockKey, "owner-a", default));
        HeldLock held = _locks.Hold(_db, _lockKey, "owner-a");
        await _server.KeyExpireAsync(_lockKey, TimeSpan.FromSeconds(5));

        _timers.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1));
        await _db.PingAsync();
        Assert.True(await _server.KeyTimeToLiveAsync(_lockKey) <= TimeSpan.FromSeconds(5), "extended before a third of the lease");
        _timers.Advance(TimeSpan.FromMilliseconds(1));
        await Parts.UntilAsync(async () => await _server.KeyTimeToLiveAsync(_lockKey) > TimeSpan.FromSeconds(50));

        held.Dispose();
        held.Dispose();
        await _server.KeyExpireAsync(_lockKey, TimeSpan.FromSeconds(5));
        _timers.Advance(TimeSpan.FromSeconds(60));
        await _db.PingAsync();
        Assert.True(await _server.KeyTimeToLiveAsync(_lockKey) <= TimeSpan.FromSeconds(5), "extended after it was let go");
    }

    [Fact]
    public async Task The_folded_read_serves_an_entry_else_takes_the_lock_and_the_folded_write_releases_only_its_owner_s_lock()
    {
        RedisKey[] keys = [_entryKey, _lockKey];
        RedisResult? taken = await _locks.ReadOrLockAsync(_db, keys, "owner-a", RedisValue.EmptyString, default);
        Assert.Equal(1, (long)taken!);
        Assert.Equal(0, (long)(await _locks.ReadOrLockAsync(_db, keys, "owner-b", RedisValue.EmptyString, default))!);

        // b writes (after its own wait timed out) without releasing a's lock.
        var entry = new SealedEntry([1, 2, 3], TimeSpan.FromMinutes(10));
        Assert.True(await _locks.WriteAndReleaseAsync(_db, keys, "owner-b", entry, default));
        Assert.Equal("owner-a", (string?)await _server.StringGetAsync(_lockKey));
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[]?)await _server.HashGetAsync(_entryKey, "data"));
        TimeSpan? ttl = await _server.KeyTimeToLiveAsync(_entryKey);
        Assert.True(ttl > TimeSpan.FromMinutes(9) && ttl <= TimeSpan.FromMinutes(10), $"TTL {ttl}");

        // The entry is served unless it is the one already found unusable; then the lock is tried.
        RedisResult? found = await _locks.ReadOrLockAsync(_db, keys, "owner-c", RedisValue.EmptyString, default);
        Assert.True(found is not null, string.Join("; ", _logs.Entries));
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[]?)found);
        Assert.Equal(0, (long)(await _locks.ReadOrLockAsync(_db, keys, "owner-c", new byte[] { 1, 2, 3 }, default))!);

        Assert.True(await _locks.WriteAndReleaseAsync(_db, keys, "owner-a", entry, default));
        Assert.False(await _server.KeyExistsAsync(_lockKey));
        Assert.Equal(1, (long)(await _locks.ReadOrLockAsync(_db, keys, "owner-c", new byte[] { 1, 2, 3 }, default))!);
        Assert.Equal("owner-c", (string?)await _server.StringGetAsync(_lockKey));
    }

    [Fact]
    public void Entries_in_a_registered_IDistributedCache_are_never_folded()
    {
        var unfolded = new FleetLock(_options, new RedisOutage(_connection, _options, Parts.Logger(_logs), TimeProvider.System), entriesInRedis: false, _timers);
        Assert.False(unfolded.Folds(_db));
        Assert.True(_locks.Folds(_db));
    }
}
