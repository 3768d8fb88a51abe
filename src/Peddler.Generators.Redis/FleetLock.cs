using System;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// The fleet's lock protocol: one lock <c>{prefix}lock:{cache key}</c> per carrier, a random owner
/// per acquisition, released and extended only by its owner (Lua scripts, by SHA). With entries in
/// the same Redis (<see cref="Folds"/>), the lock is folded with the entry: one script reads the
/// entry or else takes the lock, one writes the entry and releases the lock. Held locks are extended
/// by one <see cref="LeaseExtender"/>.
/// </summary>
internal sealed class FleetLock
{
    // Deletes or extends the lock only if this instance still owns it (its lease may have expired
    // and another instance taken the lock).
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private const string ExtendScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    // The folded protocol (entries in Redis itself, RedisCache's layout: a hash with absexp, sldexp
    // and data). One round trip each way: read the entry or else take the lock; write the entry
    // with its TTL and release the lock if still owned. KEYS: entry, lock.
    //
    // ReadOrLock. ARGV: owner, lease (ms), the sealed entry already found unusable ("" for none).
    // Replies: the sealed entry (bulk string), 1 (lock taken: no usable entry, and none can appear
    // before this caller writes or releases) or 0 (lock held by another instance).
    private const string ReadOrLockScript =
        "local e = redis.call('hget', KEYS[1], 'data') "
        + "if e and e ~= ARGV[3] then return e end "
        + "if redis.call('set', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end "
        + "return 0";

    // WriteAndRelease. ARGV: owner, absexp (UTC ticks, as RedisCache writes it), sealed entry, TTL (ms).
    // Replies 1 when this caller's lock was released, 0 when it no longer held it.
    private const string WriteAndReleaseScript =
        "redis.call('hset', KEYS[1], 'absexp', ARGV[2], 'sldexp', '-1', 'data', ARGV[3]) "
        + "redis.call('pexpire', KEYS[1], ARGV[4]) "
        + "if redis.call('get', KEYS[2]) == ARGV[1] then return redis.call('del', KEYS[2]) end "
        + "return 0";

    private readonly PeddlerRedisTokenCacheOptions _options;
    private readonly RedisOutage _outage;
    private readonly LeaseExtender _extender;

    // Whether entries live in the Redis of the lock (RedisCache on the same connection), so that the
    // folded scripts may read and write them; false with a registered IDistributedCache.
    private readonly bool _entriesInRedis;
    private IConnectionMultiplexer? _checkedMultiplexer;
    private bool _folds;

    public FleetLock(PeddlerRedisTokenCacheOptions options, RedisOutage outage, bool entriesInRedis, TimeProvider timerProvider)
    {
        _options = options;
        _outage = outage;
        _entriesInRedis = entriesInRedis;
        _extender = new LeaseExtender(this, options.LockLease / 3, timerProvider);
    }

    private RedisValue Lease => (long)_options.LockLease.TotalMilliseconds;

    public RedisKey LockKey(PeddlerTokenCacheContext context) => _options.KeyPrefix + "lock:" + context.CacheKey;

    /// <summary>A new owner id: one per acquisition.</summary>
    public static string NewOwner() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Whether the folded scripts can be used: entries in this Redis, and not a cluster (an entry and
    /// its lock are in different hash slots, which one script may not touch).
    /// </summary>
    public bool Folds(IDatabase db)
    {
        if (!_entriesInRedis)
        {
            return false;
        }

        IConnectionMultiplexer multiplexer = db.Multiplexer;
        if (!ReferenceEquals(Volatile.Read(ref _checkedMultiplexer), multiplexer))
        {
            bool folds = true;
            foreach (System.Net.EndPoint endpoint in multiplexer.GetEndPoints())
            {
                folds &= multiplexer.GetServer(endpoint).ServerType is not ServerType.Cluster;
            }

            _folds = folds;
            Volatile.Write(ref _checkedMultiplexer, multiplexer);
        }

        return _folds;
    }

    /// <summary>
    /// The folded read (<c>keys</c>: entry, lock): the sealed entry unless it is <c>unusable</c>
    /// (already found so), else 1 (lock taken) or 0 (held by another); <see langword="null"/> when Redis failed.
    /// </summary>
    public Task<RedisResult?> ReadOrLockAsync(IDatabase db, RedisKey[] keys, string owner, RedisValue unusable, CancellationToken cancellationToken) =>
        _outage.TryAsync(db.ScriptEvaluateAsync(ReadOrLockScript, keys, [owner, Lease, unusable]), cancellationToken);

    /// <summary>
    /// The folded write: <paramref name="entry"/> with its TTL, and the lock released if
    /// <paramref name="owner"/> still holds it, in one round trip. <see langword="true"/> when the
    /// script ran (the lock is released or no longer this caller's); <see langword="false"/> when Redis failed.
    /// </summary>
    public async Task<bool> WriteAndReleaseAsync(IDatabase db, RedisKey[] keys, string owner, SealedEntry entry, CancellationToken cancellationToken) =>
        await _outage.TryAsync(
            db.ScriptEvaluateAsync(WriteAndReleaseScript, keys, [owner, entry.AbsoluteExpirationTicks, entry.Data, entry.TimeToLiveMilliseconds]),
            cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Takes the lock (<c>SET NX PX</c>): whether it was taken; <see langword="null"/> when Redis failed (it may still have been taken).</summary>
    public Task<bool?> TryAcquireAsync(IDatabase db, RedisKey lockKey, string owner, CancellationToken cancellationToken) =>
        _outage.TryValueAsync(db.StringSetAsync(lockKey, owner, _options.LockLease, When.NotExists), cancellationToken);

    /// <summary>Releases the lock if <paramref name="owner"/> still holds it; never throws for Redis failures.</summary>
    public Task ReleaseAsync(IDatabase db, RedisKey lockKey, string owner) =>
        _outage.TryAsync(db.ScriptEvaluateAsync(ReleaseScript, [lockKey], [owner]), CancellationToken.None);

    /// <summary>
    /// After a lock attempt that failed or timed out: the SET may still reach the server (only its
    /// reply was late), so an owner-checked release follows it on the same connection instead of
    /// leaving the lock to its lease. Fire and forget: never waits, never throws.
    /// </summary>
    public static void ReleaseLater(IDatabase db, RedisKey lockKey, string owner)
    {
        try
        {
            _ = db.ScriptEvaluateAsync(ReleaseScript, [lockKey], [owner], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (IsCommandFailure(ex))
        {
        }
    }

    /// <summary>Registers the lock <paramref name="owner"/> holds while its token request runs: extended until the handle is disposed.</summary>
    public HeldLock Hold(IDatabase db, RedisKey lockKey, string owner) => _extender.Hold(new HeldLock(_extender, db, lockKey, owner));

    /// <summary>Extends a held lock's lease if its owner still holds it (fire and forget: the extender's timer does not wait).</summary>
    internal void Extend(HeldLock held)
    {
        try
        {
            _ = _outage.TryAsync(held.Db.ScriptEvaluateAsync(ExtendScript, [held.Key], [held.Owner, Lease]), CancellationToken.None);
        }
        catch (Exception ex) when (IsCommandFailure(ex))
        {
            _outage.MarkUnavailable(ex);
        }
    }

    // What StackExchange.Redis throws synchronously for a command it cannot send.
    private static bool IsCommandFailure(Exception ex) => ex is RedisException or ObjectDisposedException or InvalidOperationException;
}
