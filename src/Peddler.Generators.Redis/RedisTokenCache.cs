using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Peddler.Caching;
using Peddler.Internal;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// A client's fleet-wide token cache: encrypted entries in an <see cref="IDistributedCache"/>, one
/// token request per fleet through a Redis lock (SET NX PX, released and extended by owner-checked
/// Lua scripts), invalidations over Redis pub/sub. With entries in the same Redis (the default), a
/// cold carrier costs two round trips: one script reads the entry or else takes the lock, one
/// writes the entry with its TTL and releases the lock. Every Redis failure falls back to the token
/// endpoint within <see cref="PeddlerRedisTokenCacheOptions.OperationTimeout"/>s.
/// </summary>
internal sealed class RedisTokenCache : PeddlerSharedTokenCache
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

    // A shared token must stay valid this much longer than the client's refresh margin.
    private static readonly TimeSpan MinimumRemaining = TimeSpan.FromSeconds(1);

    // How long a refused token's fingerprint is remembered, so it is never handed back.
    private static readonly TimeSpan RememberRefused = TimeSpan.FromMinutes(10);

    private readonly RedisConnection _connection;
    private readonly IDistributedCache _store;
    private readonly PeddlerRedisTokenCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    // Entry keys by cache key: cheap to derive, kept for the carriers in use; the least recently used go first.
    private readonly LruCache<string, byte[]> _entryKeys = new(EntryKeyCapacity, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    // Whether entries live in the Redis of the lock (RedisCache on the same connection), so that the
    // folded scripts may read and write them; false with a registered IDistributedCache.
    private readonly bool _entriesInRedis;
    // Locks held while their token request runs, extended by one timer (not one per carrier).
    private readonly HashSet<HeldLock> _held = [];
    private readonly TimeProvider _timerProvider = TimeProvider.System;
    private ITimer? _extender;
    private IConnectionMultiplexer? _checkedMultiplexer;
    private bool _folds;
    private long _bypassUntil;
    private long _failures;
    private int _unavailable;

    /// <summary>How many entry keys are kept: a client's carriers in use (its MaxCarriers default is 10,000).</summary>
    internal const int EntryKeyCapacity = 16_384;

    public RedisTokenCache(
        RedisConnection connection,
        IDistributedCache store,
        PeddlerRedisTokenCacheOptions options,
        TimeProvider? timeProvider,
        ILogger? logger,
        bool entriesInRedis = false)
    {
        _connection = connection;
        _store = store;
        _entriesInRedis = entriesInRedis;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _connection.Restored += () => Volatile.Write(ref _bypassUntil, 0);
    }

    /// <summary>Waits until Redis is connected: lets a tool or test start a whole fleet before it asks for tokens.</summary>
    internal Task<bool> WhenConnectedAsync(TimeSpan timeout) => _connection.WhenConnectedAsync(timeout);

    /// <inheritdoc />
    public override async Task<PeddlerAccessToken> GetOrRequestAsync(
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requestToken);
        byte[] entryKey = EntryKey(context);
        IDatabase? db = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (db is null)
        {
            return await requestToken(cancellationToken).ConfigureAwait(false);
        }

        return Folds(db)
            ? await GetOrRequestFoldedAsync(db, entryKey, context, requestToken, cancellationToken).ConfigureAwait(false)
            : await GetOrRequestUnfoldedAsync(db, entryKey, context, requestToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The folded protocol: per cold carrier one round trip to read or lock, the token request, one
    /// round trip to write and release (plus a lease extension per LockLease / 3 of a slow request).
    /// </summary>
    private async Task<PeddlerAccessToken> GetOrRequestFoldedAsync(
        IDatabase db,
        byte[] entryKey,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        RedisKey[] keys = [TokenKey(context), LockKey(context)];
        string owner = Guid.NewGuid().ToString("N");
        RedisValue lease = (long)_options.LockLease.TotalMilliseconds;
        RedisValue unusable = RedisValue.EmptyString;
        bool unusableBefore = false;
        long started = Environment.TickCount64;
        long failures = Interlocked.Read(ref _failures);
        while (true)
        {
            if (Volatile.Read(ref _unavailable) == 1 && Environment.TickCount64 < Volatile.Read(ref _bypassUntil))
            {
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            RedisResult? reply = await TryAsync(db.ScriptEvaluateAsync(ReadOrLockScript, keys, [owner, lease, unusable]), cancellationToken).ConfigureAwait(false);
            if (reply is null)
            {
                // The lock may have been taken (only the reply was late).
                ReleaseLater(db, keys[1], owner);
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            switch (reply.Resp2Type)
            {
                case ResultType.BulkString when !reply.IsNull:
                    byte[] sealedEntry = (byte[])reply!;
                    if (Open(sealedEntry, entryKey, context) is { } shared)
                    {
                        RedisTokenCacheLog.SharedTokenUsed(_logger, shared.Fingerprint, shared.ExpiresAt);
                        MarkAvailable(failures);
                        return shared;
                    }

                    // Unusable (unreadable, too close to expiry, refused, the one being replaced):
                    // asked again at once, passing it, so the lock is taken unless another entry
                    // came meanwhile; a second unusable entry in a row waits like a held lock.
                    unusable = sealedEntry;
                    if (!unusableBefore)
                    {
                        unusableBefore = true;
                        continue;
                    }

                    break;
                case ResultType.Integer when (long)reply == 1:
                    PeddlerAccessToken token = await RequestForFleetFoldedAsync(db, keys, owner, entryKey, context, requestToken, cancellationToken).ConfigureAwait(false);
                    MarkAvailable(failures);
                    return token;
                case ResultType.Integer when (long)reply == 0:
                    break;
                default:
                    // Not what the script answers: not a Redis to share tokens through.
                    MarkUnavailable("unexpected reply");
                    ReleaseLater(db, keys[1], owner);
                    return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            TimeSpan waited = TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
            if (waited >= _options.WaitTimeout)
            {
                RedisTokenCacheLog.FleetWaitTimedOut(_logger, waited);
                PeddlerAccessToken own = await requestToken(cancellationToken).ConfigureAwait(false);

                // Written without the lock (the owner check leaves the other instance's lock alone).
                await TryWriteAndReleaseAsync(db, keys, owner, entryKey, context, own, cancellationToken).ConfigureAwait(false);
                MarkAvailable(failures);
                return own;
            }

            await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PeddlerAccessToken> RequestForFleetFoldedAsync(
        IDatabase db,
        RedisKey[] keys,
        string owner,
        byte[] entryKey,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        HeldLock held = Hold(db, keys[1], owner);
        bool released = false;
        try
        {
            RedisTokenCacheLog.FleetLockAcquired(_logger, _options.LockLease);
            PeddlerAccessToken token = await requestToken(cancellationToken).ConfigureAwait(false);
            Unhold(held);
            released = await TryWriteAndReleaseAsync(db, keys, owner, entryKey, context, token, cancellationToken).ConfigureAwait(false);
            return token;
        }
        finally
        {
            Unhold(held);
            if (!released)
            {
                await TryAsync(db.ScriptEvaluateAsync(ReleaseScript, [keys[1]], [owner]), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="token"/> sealed, with its TTL, and releases the lock if
    /// <paramref name="owner"/> still holds it, in one round trip. <see langword="true"/> when the
    /// script ran (the lock is released or no longer this caller's); <see langword="false"/> when
    /// the token is not shared (not usable) or Redis failed: the lock is then still to release.
    /// </summary>
    private async Task<bool> TryWriteAndReleaseAsync(IDatabase db, RedisKey[] keys, string owner, byte[] entryKey, PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        if (!IsUsable(token, context))
        {
            return false;
        }

        byte[] sealedEntry = TokenProtector.Seal(entryKey, context.CacheKey, token);

        // Relative to the client's clock (the store's own clock may differ from a test's TimeProvider).
        TimeSpan ttl = token.ExpiresAt - _timeProvider.GetUtcNow();
        RedisValue absoluteExpiration = (DateTimeOffset.UtcNow + ttl).UtcTicks;
        RedisValue ttlMilliseconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalMilliseconds));
        RedisResult? reply = await TryAsync(
            db.ScriptEvaluateAsync(WriteAndReleaseScript, keys, [owner, absoluteExpiration, sealedEntry, ttlMilliseconds]),
            cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return false;
        }

        RedisTokenCacheLog.SharedTokenStored(_logger, token.Fingerprint, token.ExpiresAt);
        return true;
    }

    /// <summary>Opens a sealed entry: the token if it is usable, <see langword="null"/> otherwise (logged when it does not open).</summary>
    private PeddlerAccessToken? Open(byte[] sealedEntry, byte[] entryKey, PeddlerTokenCacheContext context)
    {
        PeddlerAccessToken? token = TokenProtector.Open(entryKey, context.CacheKey, sealedEntry);
        if (token is null)
        {
            RedisTokenCacheLog.SharedTokenUnreadable(_logger);
            return null;
        }

        return IsUsable(token, context) ? token : null;
    }

    /// <summary>
    /// Whether the folded scripts can be used: entries in this Redis, and not a cluster (an entry and
    /// its lock are in different hash slots, which one script may not touch).
    /// </summary>
    private bool Folds(IDatabase db)
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

    /// <summary>The protocol for entries in a registered <see cref="IDistributedCache"/> (or a Redis cluster): read, lock, read again, request, write, release.</summary>
    private async Task<PeddlerAccessToken> GetOrRequestUnfoldedAsync(
        IDatabase db,
        byte[] entryKey,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        string tokenKey = TokenKey(context);
        RedisKey lockKey = LockKey(context);
        string owner = Guid.NewGuid().ToString("N");
        long started = Environment.TickCount64;
        long failures = Interlocked.Read(ref _failures);
        while (true)
        {
            (bool ok, PeddlerAccessToken? shared) = await TryReadAsync(tokenKey, entryKey, context, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            if (shared is not null)
            {
                RedisTokenCacheLog.SharedTokenUsed(_logger, shared.Fingerprint, shared.ExpiresAt);
                MarkAvailable(failures);
                return shared;
            }

            bool? acquired = await TryAsync(db.StringSetAsync(lockKey, owner, _options.LockLease, When.NotExists), cancellationToken).ConfigureAwait(false);
            if (acquired is null)
            {
                ReleaseLater(db, lockKey, owner);
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            if (acquired.Value)
            {
                PeddlerAccessToken token = await RequestForFleetAsync(db, lockKey, owner, tokenKey, entryKey, context, requestToken, cancellationToken).ConfigureAwait(false);
                MarkAvailable(failures);
                return token;
            }

            TimeSpan waited = TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
            if (waited >= _options.WaitTimeout)
            {
                RedisTokenCacheLog.FleetWaitTimedOut(_logger, waited);
                PeddlerAccessToken own = await requestToken(cancellationToken).ConfigureAwait(false);
                await TryWriteAsync(tokenKey, entryKey, context, own, cancellationToken).ConfigureAwait(false);
                MarkAvailable(failures);
                return own;
            }

            await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(token);
        Remember(token.Fingerprint);
        try
        {
            byte[] entryKey = EntryKey(context);
            IDatabase? db = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                return;
            }

            // Removed under the fleet's lock, so that a replacement shared meanwhile is not removed
            // with it; when the lock is taken, its holder is about to share a replacement anyway.
            string tokenKey = TokenKey(context);
            RedisKey lockKey = LockKey(context);
            string owner = Guid.NewGuid().ToString("N");
            bool? acquired = await TryAsync(db.StringSetAsync(lockKey, owner, _options.LockLease, When.NotExists), cancellationToken).ConfigureAwait(false);
            if (acquired is null)
            {
                ReleaseLater(db, lockKey, owner);
            }
            else if (acquired.Value)
            {
                try
                {
                    byte[]? sealedEntry = await TryAsync(_store.GetAsync(tokenKey, cancellationToken), cancellationToken).ConfigureAwait(false);
                    if (sealedEntry is not null
                        && TokenProtector.Open(entryKey, context.CacheKey, sealedEntry) is { } stored
                        && string.Equals(stored.AccessToken, token.AccessToken, StringComparison.Ordinal))
                    {
                        await TryAsync(RemoveAsync(tokenKey, cancellationToken), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await TryAsync(db.ScriptEvaluateAsync(ReleaseScript, [lockKey], [owner]), CancellationToken.None).ConfigureAwait(false);
                }
            }

            long? receivers = await TryAsync(
                db.Multiplexer.GetSubscriber().PublishAsync(Channel(context.ClientName), token.Fingerprint),
                cancellationToken).ConfigureAwait(false);
            if (receivers is not null)
            {
                RedisTokenCacheLog.SharedTokenInvalidated(_logger, token.Fingerprint);
            }
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            // Never throws for store failures (an IDistributedCache may throw before it returns a task).
            MarkUnavailable(ex);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    /// <remarks>False from a failed Redis command until a whole exchange succeeds again (the outage the log reports once).</remarks>
    public override bool IsAvailable => Volatile.Read(ref _unavailable) == 0;

    /// <inheritdoc />
    public override IDisposable? Subscribe(string clientName, Action<string> tokenInvalidated)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        ArgumentNullException.ThrowIfNull(tokenInvalidated);
        var subscription = new Subscription(this, Channel(clientName), fingerprint =>
        {
            Remember(fingerprint);
            tokenInvalidated(fingerprint);
        });
        subscription.Start();
        return subscription;
    }

    private async Task<PeddlerAccessToken> RequestForFleetAsync(
        IDatabase db,
        RedisKey lockKey,
        string owner,
        string tokenKey,
        byte[] entryKey,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        HeldLock? held = null;
        try
        {
            RedisTokenCacheLog.FleetLockAcquired(_logger, _options.LockLease);

            // Another instance may have shared a token between this one's read and its lock.
            (bool ok, PeddlerAccessToken? shared) = await TryReadAsync(tokenKey, entryKey, context, cancellationToken).ConfigureAwait(false);
            if (ok && shared is not null)
            {
                return shared;
            }

            held = Hold(db, lockKey, owner);
            PeddlerAccessToken token = await requestToken(cancellationToken).ConfigureAwait(false);
            await TryWriteAsync(tokenKey, entryKey, context, token, cancellationToken).ConfigureAwait(false);
            return token;
        }
        finally
        {
            if (held is not null)
            {
                Unhold(held);
            }

            await TryAsync(db.ScriptEvaluateAsync(ReleaseScript, [lockKey], [owner]), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Registers a lock this instance holds while it requests a token: one timer per cache (not one
    /// per carrier) extends every held lock each <see cref="PeddlerRedisTokenCacheOptions.LockLease"/> / 3,
    /// so a lock is extended at most a third of its lease after it was taken, and again every third.
    /// The timer runs only while locks are held.
    /// </summary>
    private HeldLock Hold(IDatabase db, RedisKey lockKey, string owner)
    {
        var held = new HeldLock(db, lockKey, owner);
        lock (_held)
        {
            _held.Add(held);
            if (_held.Count == 1)
            {
                TimeSpan period = _options.LockLease / 3;
                if (_extender is null)
                {
                    _extender = _timerProvider.CreateTimer(static state => ((RedisTokenCache)state!).ExtendHeldLocks(), this, period, period);
                }
                else
                {
                    _extender.Change(period, period);
                }
            }
        }

        return held;
    }

    private void Unhold(HeldLock held)
    {
        lock (_held)
        {
            if (_held.Remove(held) && _held.Count == 0)
            {
                _extender?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void ExtendHeldLocks()
    {
        HeldLock[] held;
        lock (_held)
        {
            if (_held.Count == 0)
            {
                return;
            }

            held = [.. _held];
        }

        RedisValue lease = (long)_options.LockLease.TotalMilliseconds;
        foreach (HeldLock h in held)
        {
            try
            {
                _ = TryAsync(h.Db.ScriptEvaluateAsync(ExtendScript, [h.Key], [h.Owner, lease]), CancellationToken.None);
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException or InvalidOperationException)
            {
                MarkUnavailable(ex);
            }
        }
    }

    /// <summary>A lock this instance holds (reference identity: one per acquisition).</summary>
    private sealed class HeldLock(IDatabase db, RedisKey key, string owner)
    {
        public IDatabase Db { get; } = db;

        public RedisKey Key { get; } = key;

        public string Owner { get; } = owner;
    }

    /// <summary>Reads the shared token: (false, null) when the store failed, (true, null) on a miss or an unusable token.</summary>
    private async Task<(bool Ok, PeddlerAccessToken? Token)> TryReadAsync(string tokenKey, byte[] entryKey, PeddlerTokenCacheContext context, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _unavailable) == 1 && Environment.TickCount64 < Volatile.Read(ref _bypassUntil))
        {
            return (false, null);
        }

        byte[]? sealedEntry;
        try
        {
            sealedEntry = await _store.GetAsync(tokenKey, cancellationToken).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            MarkUnavailable(ex);
            return (false, null);
        }

        if (sealedEntry is null)
        {
            return (true, null);
        }

        PeddlerAccessToken? token = TokenProtector.Open(entryKey, context.CacheKey, sealedEntry);
        if (token is null)
        {
            RedisTokenCacheLog.SharedTokenUnreadable(_logger);
            return (true, null);
        }

        return (true, IsUsable(token, context) ? token : null);
    }

    private async Task TryWriteAsync(string tokenKey, byte[] entryKey, PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        if (!IsUsable(token, context))
        {
            return;
        }

        byte[] sealedEntry = TokenProtector.Seal(entryKey, context.CacheKey, token);
        // Relative to the client's clock (the store's own clock may differ from a test's TimeProvider).
        var entryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = token.ExpiresAt - _timeProvider.GetUtcNow() };
        if (await TryAsync(WriteAsync(tokenKey, sealedEntry, entryOptions, cancellationToken), cancellationToken).ConfigureAwait(false) == true)
        {
            RedisTokenCacheLog.SharedTokenStored(_logger, token.Fingerprint, token.ExpiresAt);
        }
    }

    private async Task<bool> WriteAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken cancellationToken)
    {
        await _store.SetAsync(key, value, options, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> RemoveAsync(string key, CancellationToken cancellationToken)
    {
        await _store.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private bool IsUsable(PeddlerAccessToken token, PeddlerTokenCacheContext context)
    {
        if (context.Replacing is { } replacing && string.Equals(replacing.AccessToken, token.AccessToken, StringComparison.Ordinal))
        {
            return false;
        }

        if (_refused.TryGetValue(token.Fingerprint, out long until) && Environment.TickCount64 < until)
        {
            return false;
        }

        return token.ExpiresAt - _timeProvider.GetUtcNow() > context.RefreshMargin + MinimumRemaining;
    }

    private void Remember(string fingerprint)
    {
        long now = Environment.TickCount64;
        _refused[fingerprint] = now + (long)RememberRefused.TotalMilliseconds;
        if (_refused.Count > 64)
        {
            foreach (var entry in _refused)
            {
                if (entry.Value <= now)
                {
                    _refused.TryRemove(entry);
                }
            }
        }
    }

    /// <summary>Redis if it is usable now; <see langword="null"/> while it is down (after logging a warning once).</summary>
    private async Task<IDatabase?> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 < Volatile.Read(ref _bypassUntil))
        {
            return null;
        }

        IConnectionMultiplexer? multiplexer = await _connection.GetConnectedAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (multiplexer is null)
        {
            MarkUnavailable("not connected");
            return null;
        }

        return multiplexer.GetDatabase();
    }

    /// <summary>Runs a store operation with the operation timeout; the default value when it fails.</summary>
    private async Task<T?> TryAsync<T>(Task<T> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            MarkUnavailable(ex);
            return default;
        }
    }

    private async Task<bool?> TryAsync(Task<bool> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            MarkUnavailable(ex);
            return null;
        }
    }

    /// <summary>
    /// After a lock attempt that failed or timed out: the SET may still reach the server (only its
    /// reply was late), so an owner-checked release follows it on the same connection instead of
    /// leaving the lock to its lease. Fire and forget: never waits, never throws.
    /// </summary>
    private static void ReleaseLater(IDatabase db, RedisKey lockKey, string owner)
    {
        try
        {
            _ = db.ScriptEvaluateAsync(ReleaseScript, [lockKey], [owner], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken) =>
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private void MarkUnavailable(Exception ex) =>
        MarkUnavailable(ex is TimeoutException or RedisTimeoutException ? "timeout" : ex.GetType().Name);

    private void MarkUnavailable(string reason)
    {
        Interlocked.Increment(ref _failures);
        Volatile.Write(ref _bypassUntil, Environment.TickCount64 + (long)_options.RetryStoreAfter.TotalMilliseconds);
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            RedisTokenCacheLog.SharedCacheUnavailable(_logger, reason);
        }
    }

    /// <summary>
    /// Ends an outage only when a whole exchange (read, lock, request, write, release) went without a
    /// failure since <paramref name="failuresBefore"/>: a server that answers some commands and refuses
    /// others (no scripts, out of memory) is one outage with one warning, not a warning per call.
    /// </summary>
    private void MarkAvailable(long failuresBefore)
    {
        if (Interlocked.Read(ref _failures) == failuresBefore && Volatile.Read(ref _unavailable) == 1 && Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            RedisTokenCacheLog.SharedCacheResumed(_logger);
        }
    }

    /// <summary>The entry's AES key: derived from the context (the same settings generation as its cache key), kept in a bounded LRU.</summary>
    private byte[] EntryKey(PeddlerTokenCacheContext context) =>
        _entryKeys.GetOrAdd(context.CacheKey, context, static (_, c) => TokenProtector.DeriveKey(c));

    private string TokenKey(PeddlerTokenCacheContext context) => _options.KeyPrefix + "token:" + context.CacheKey;

    private RedisKey LockKey(PeddlerTokenCacheContext context) => _options.KeyPrefix + "lock:" + context.CacheKey;

    private RedisChannel Channel(string clientName) => RedisChannel.Literal(_options.KeyPrefix + "invalidated:" + clientName);

    /// <summary>A pub/sub subscription that is (re)made when Redis is (re)connected.</summary>
    private sealed class Subscription(RedisTokenCache owner, RedisChannel channel, Action<string> received) : IDisposable
    {
        private readonly Action<ChannelMessage> _handler = message => received(message.Message.ToString());
        private ChannelMessageQueue? _queue;
        private int _disposed;

        public void Start()
        {
            owner._connection.Restored += Resubscribe;
            _ = SubscribeAsync();
        }

        private void Resubscribe()
        {
            if (Volatile.Read(ref _queue) is null)
            {
                _ = SubscribeAsync();
            }
        }

        private async Task SubscribeAsync()
        {
            try
            {
                IConnectionMultiplexer? multiplexer = await owner._connection.ConnectAsync().ConfigureAwait(false);
                if (multiplexer is null || Volatile.Read(ref _disposed) == 1)
                {
                    return;
                }

                ChannelMessageQueue queue = await multiplexer.GetSubscriber().SubscribeAsync(channel).ConfigureAwait(false);
                queue.OnMessage(_handler);
                if (Interlocked.CompareExchange(ref _queue, queue, null) is not null || Volatile.Read(ref _disposed) == 1)
                {
                    await queue.UnsubscribeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Made again when the connection is restored.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner._connection.Restored -= Resubscribe;
                _ = Interlocked.Exchange(ref _queue, null)?.UnsubscribeAsync();
            }
        }
    }
}
