using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Peddler.Caching;
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
/// <remarks>
/// The façade over the parts: <see cref="FleetLock"/> (the lock protocol and its scripts, with one
/// <see cref="LeaseExtender"/>), <see cref="SealedEntryStore"/> (entries: layout, TTL, seal and open),
/// <see cref="TokenUsability"/> (which token may be served), <see cref="InvalidationChannel"/>
/// (pub/sub) and <see cref="RedisOutage"/> (when Redis counts as unavailable). A get-or-request runs
/// as a <see cref="FoldedExchange"/> (entries in this Redis) or an <see cref="UnfoldedExchange"/>.
/// </remarks>
internal sealed class RedisTokenCache : PeddlerSharedTokenCache
{
    private readonly RedisConnection _connection;
    private readonly RedisOutage _outage;
    private readonly TokenUsability _usability;
    private readonly SealedEntryStore _store;
    private readonly FleetLock _locks;
    private readonly InvalidationChannel _channel;
    private readonly FoldedExchange _folded;
    private readonly UnfoldedExchange _unfolded;

    public RedisTokenCache(
        RedisConnection connection,
        IDistributedCache store,
        PeddlerRedisTokenCacheOptions options,
        TimeProvider? timeProvider,
        ILogger? logger,
        bool entriesInRedis = false)
    {
        // Pauses, refusals and lease extensions run on the system's clock: a test's TimeProvider
        // moves token expiry, not Redis's.
        TimeProvider clock = TimeProvider.System;
        ILogger log = logger ?? NullLogger.Instance;
        _connection = connection;
        _outage = new RedisOutage(connection, options, log, clock);
        _usability = new TokenUsability(timeProvider ?? TimeProvider.System, clock);
        _store = new SealedEntryStore(store, options, _usability, _outage, timeProvider ?? TimeProvider.System, log);
        _locks = new FleetLock(options, _outage, entriesInRedis, clock);
        _channel = new InvalidationChannel(connection, options, _outage, log);
        _folded = new FoldedExchange(_locks, _store, _outage, options, log);
        _unfolded = new UnfoldedExchange(_locks, _store, _outage, options, log);
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
        IDatabase? db = await _outage.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (db is null)
        {
            return await requestToken(cancellationToken).ConfigureAwait(false);
        }

        return _locks.Folds(db)
            ? await _folded.GetOrRequestAsync(db, context, requestToken, cancellationToken).ConfigureAwait(false)
            : await _unfolded.GetOrRequestAsync(db, context, requestToken, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(token);
        _usability.Remember(token.Fingerprint);
        try
        {
                IDatabase? db = await _outage.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                return;
            }

            // Removed under the fleet's lock, so that a replacement shared meanwhile is not removed
            // with it; when the lock is taken, its holder is about to share a replacement anyway.
            RedisKey lockKey = _locks.LockKey(context);
            string owner = FleetLock.NewOwner();
            bool? acquired = await _locks.TryAcquireAsync(db, lockKey, owner, cancellationToken).ConfigureAwait(false);
            if (acquired is null)
            {
                FleetLock.ReleaseLater(db, lockKey, owner);
            }
            else if (acquired.Value)
            {
                try
                {
                    await _store.TryRemoveAsync(context, token, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await _locks.ReleaseAsync(db, lockKey, owner).ConfigureAwait(false);
                }
            }

            await _channel.PublishAsync(db, context.ClientName, token.Fingerprint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.IsStoreFailure(ex, cancellationToken))
        {
            // Never throws for store failures (an IDistributedCache may throw before it returns a task).
            _outage.MarkUnavailable(ex);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    /// <remarks>False from a failed Redis command until a whole exchange succeeds again (the outage the log reports once).</remarks>
    public override bool IsAvailable => _outage.IsAvailable;

    /// <inheritdoc />
    public override IDisposable? Subscribe(string clientName, Action<string> tokenInvalidated)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        ArgumentNullException.ThrowIfNull(tokenInvalidated);
        return _channel.Subscribe(clientName, fingerprint =>
        {
            _usability.Remember(fingerprint);
            tokenInvalidated(fingerprint);
        });
    }
}
