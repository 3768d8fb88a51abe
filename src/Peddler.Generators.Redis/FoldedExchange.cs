using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Peddler.Caching;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// Get-or-request with entries in the lock's Redis: per cold carrier one round trip to read or lock,
/// the token request, one round trip to write and release (plus a lease extension per LockLease / 3
/// of a slow request).
/// </summary>
internal sealed class FoldedExchange(FleetLock locks, SealedEntryStore store, RedisOutage outage, PeddlerRedisTokenCacheOptions options, ILogger logger)
{
    public async Task<PeddlerAccessToken> GetOrRequestAsync(
        IDatabase db,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        RedisKey[] keys = [store.TokenKey(context), locks.LockKey(context)];
        string owner = FleetLock.NewOwner();
        RedisValue unusable = RedisValue.EmptyString;
        bool unusableBefore = false;
        var wait = new FleetWait(options, logger);
        long failures = outage.Failures;
        while (true)
        {
            if (outage.IsDown)
            {
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            RedisResult? reply = await locks.ReadOrLockAsync(db, keys, owner, unusable, cancellationToken).ConfigureAwait(false);
            if (reply is null)
            {
                // The lock may have been taken (only the reply was late).
                FleetLock.ReleaseLater(db, keys[1], owner);
                return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            switch (reply.Resp2Type)
            {
                case ResultType.BulkString when !reply.IsNull:
                    byte[] sealedEntry = (byte[])reply!;
                    if (store.Open(sealedEntry, context) is { } shared)
                    {
                        RedisTokenCacheLog.SharedTokenUsed(logger, shared.Fingerprint, shared.ExpiresAt);
                        outage.MarkAvailable(failures);
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
                    PeddlerAccessToken token = await RequestForFleetAsync(db, keys, owner, context, requestToken, cancellationToken).ConfigureAwait(false);
                    outage.MarkAvailable(failures);
                    return token;
                case ResultType.Integer when (long)reply == 0:
                    break;
                default:
                    // Not what the script answers: not a Redis to share tokens through.
                    outage.MarkUnavailable("unexpected reply");
                    FleetLock.ReleaseLater(db, keys[1], owner);
                    return await requestToken(cancellationToken).ConfigureAwait(false);
            }

            if (wait.TimedOut())
            {
                PeddlerAccessToken own = await requestToken(cancellationToken).ConfigureAwait(false);

                // Written without the lock (the owner check leaves the other instance's lock alone).
                await TryWriteAndReleaseAsync(db, keys, owner, context, own, cancellationToken).ConfigureAwait(false);
                outage.MarkAvailable(failures);
                return own;
            }

            await wait.PollAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PeddlerAccessToken> RequestForFleetAsync(
        IDatabase db,
        RedisKey[] keys,
        string owner,
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken)
    {
        HeldLock held = locks.Hold(db, keys[1], owner);
        bool released = false;
        try
        {
            RedisTokenCacheLog.FleetLockAcquired(logger, options.LockLease);
            PeddlerAccessToken token = await requestToken(cancellationToken).ConfigureAwait(false);
            held.Dispose();
            released = await TryWriteAndReleaseAsync(db, keys, owner, context, token, cancellationToken).ConfigureAwait(false);
            return token;
        }
        finally
        {
            held.Dispose();
            if (!released)
            {
                await locks.ReleaseAsync(db, keys[1], owner).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Shares <paramref name="token"/> and releases the lock in one round trip. <see langword="false"/>
    /// when the token is not shared (not usable) or Redis failed: the lock is then still to release.
    /// </summary>
    private async Task<bool> TryWriteAndReleaseAsync(IDatabase db, RedisKey[] keys, string owner, PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        if (store.Seal(token, context) is not { } entry
            || !await locks.WriteAndReleaseAsync(db, keys, owner, entry, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        RedisTokenCacheLog.SharedTokenStored(logger, token.Fingerprint, token.ExpiresAt);
        return true;
    }
}
