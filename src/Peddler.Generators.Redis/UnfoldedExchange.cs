using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Peddler.Caching;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// Get-or-request with entries in a registered <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
/// (or a Redis cluster, where an entry and its lock are in different hash slots): read, lock, read
/// again, request, write, release.
/// </summary>
internal sealed class UnfoldedExchange(FleetLock locks, SealedEntryStore store, RedisOutage outage, PeddlerRedisTokenCacheOptions options, ILogger logger)
{
    public async Task<PeddlerAccessToken> GetOrRequestAsync(
        IDatabase db,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        RedisKey lockKey = locks.LockKey(context);
        string owner = FleetLock.NewOwner();
        var wait = new FleetWait(options, logger);
        long failures = outage.Failures;
        while (true)
        {
            (bool ok, PeddlerAccessToken? shared) = await store.TryReadAsync(context, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            if (shared is not null)
            {
                RedisTokenCacheLog.SharedTokenUsed(logger, shared.Fingerprint, shared.ExpiresAt);
                outage.MarkAvailable(failures);
                return shared;
            }

            bool? acquired = await locks.TryAcquireAsync(db, lockKey, owner, cancellationToken).ConfigureAwait(false);
            if (acquired is null)
            {
                FleetLock.ReleaseLater(db, lockKey, owner);
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            if (acquired.Value)
            {
                PeddlerAccessToken token = await RequestForFleetAsync(db, lockKey, owner, context, requestToken, cancellationToken).ConfigureAwait(false);
                outage.MarkAvailable(failures);
                return token;
            }

            if (wait.TimedOut())
            {
                PeddlerAccessToken own = await requestToken(cancellationToken).ConfigureAwait(false);
                await store.TryWriteAsync(context, own, cancellationToken).ConfigureAwait(false);
                outage.MarkAvailable(failures);
                return own;
            }

            await wait.PollAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PeddlerAccessToken> RequestForFleetAsync(
        IDatabase db,
        RedisKey lockKey,
        string owner,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        HeldLock? held = null;
        try
        {
            RedisTokenCacheLog.FleetLockAcquired(logger, options.LockLease);

            // Another instance may have shared a token between this one's read and its lock.
            (bool ok, PeddlerAccessToken? shared) = await store.TryReadAsync(context, cancellationToken).ConfigureAwait(false);
            if (ok && shared is not null)
            {
                return shared;
            }

            held = locks.Hold(db, lockKey, owner);
            PeddlerAccessToken token = await requestToken(cancellationToken).ConfigureAwait(false);
            await store.TryWriteAsync(context, token, cancellationToken).ConfigureAwait(false);
            return token;
        }
        finally
        {
            held?.Dispose();
            await locks.ReleaseAsync(db, lockKey, owner).ConfigureAwait(false);
        }
    }
}
