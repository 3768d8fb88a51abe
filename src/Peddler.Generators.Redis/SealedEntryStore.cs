using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Peddler.Caching;
using Peddler.Internal;

namespace Peddler.Redis;

/// <summary>
/// The sealed store: a carrier's entry <c>{prefix}token:{cache key}</c>, sealed with
/// <see cref="TokenProtector"/> under the context's entry key, expiring with its token. Opens and
/// seals entries for the folded scripts (<see cref="FleetLock"/>), and reads, writes and removes them
/// through an <see cref="IDistributedCache"/> otherwise. Only usable tokens (<see cref="TokenUsability"/>)
/// are served or shared.
/// </summary>
internal sealed class SealedEntryStore
{
    /// <summary>How many entry keys are kept: a client's carriers in use (its MaxCarriers default is 10,000).</summary>
    internal const int EntryKeyCapacity = 16_384;

    private readonly IDistributedCache _store;
    private readonly PeddlerRedisTokenCacheOptions _options;
    private readonly TokenUsability _usability;
    private readonly RedisOutage _outage;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // Entry keys by cache key: cheap to derive, kept for the carriers in use; the least recently used go first.
    private readonly LruCache<string, byte[]> _entryKeys = new(EntryKeyCapacity, StringComparer.Ordinal);

    public SealedEntryStore(IDistributedCache store, PeddlerRedisTokenCacheOptions options, TokenUsability usability, RedisOutage outage, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _options = options;
        _usability = usability;
        _outage = outage;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string TokenKey(PeddlerTokenCacheContext context) => _options.KeyPrefix + "token:" + context.CacheKey;

    /// <summary>The entry's AES key: derived from the context (the same settings generation as its cache key), kept in a bounded LRU.</summary>
    public byte[] EntryKey(PeddlerTokenCacheContext context) =>
        _entryKeys.GetOrAdd(context.CacheKey, context, static (_, c) => TokenProtector.DeriveKey(c));

    /// <summary>Opens a sealed entry: the token if it is usable, <see langword="null"/> otherwise (logged when it does not open: another key, tampered with, an unknown layout).</summary>
    public PeddlerAccessToken? Open(byte[] sealedEntry, PeddlerTokenCacheContext context)
    {
        PeddlerAccessToken? token = OpenAny(sealedEntry, context);
        return token is not null && _usability.IsUsable(token, context) ? token : null;
    }

    /// <summary>Seals <paramref name="token"/> with its expiry; <see langword="null"/> when it is not to be shared (not usable).</summary>
    public SealedEntry? Seal(PeddlerAccessToken token, PeddlerTokenCacheContext context)
    {
        if (!_usability.IsUsable(token, context))
        {
            return null;
        }

        // Relative to the client's clock (the store's own clock may differ from a test's TimeProvider).
        TimeSpan ttl = token.ExpiresAt - _timeProvider.GetUtcNow();
        return new SealedEntry(TokenProtector.Seal(EntryKey(context), context.CacheKey, token), ttl);
    }

    /// <summary>Reads the shared token: (false, null) when the store failed or is down, (true, null) on a miss or an unusable token.</summary>
    public async Task<(bool Ok, PeddlerAccessToken? Token)> TryReadAsync(PeddlerTokenCacheContext context, CancellationToken cancellationToken)
    {
        if (_outage.IsDown)
        {
            return (false, null);
        }

        byte[]? sealedEntry;
        try
        {
            // Started inside the try: an IDistributedCache may throw before it returns a task.
            sealedEntry = await _store.GetAsync(TokenKey(context), cancellationToken).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.IsStoreFailure(ex, cancellationToken))
        {
            _outage.MarkUnavailable(ex);
            return (false, null);
        }

        return (true, sealedEntry is null ? null : Open(sealedEntry, context));
    }

    /// <summary>Writes <paramref name="token"/> sealed, expiring with it, if it is usable.</summary>
    public async Task TryWriteAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        if (Seal(token, context) is not { } entry)
        {
            return;
        }

        var entryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = entry.TimeToLive };
        if (await _outage.TryAsync(SetAsync(TokenKey(context), entry.Data, entryOptions, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            RedisTokenCacheLog.SharedTokenStored(_logger, token.Fingerprint, token.ExpiresAt);
        }
    }

    /// <summary>Removes the entry if it still holds <paramref name="token"/> (a replacement shared meanwhile stays).</summary>
    public async Task TryRemoveAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken)
    {
        string tokenKey = TokenKey(context);
        byte[]? sealedEntry = await _outage.TryAsync(_store.GetAsync(tokenKey, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (sealedEntry is not null
            && TokenProtector.Open(EntryKey(context), context.CacheKey, sealedEntry) is { } stored
            && string.Equals(stored.AccessToken, token.AccessToken, StringComparison.Ordinal))
        {
            await _outage.TryAsync(RemoveAsync(tokenKey, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    // Async, so that an IDistributedCache that throws before it returns a task fails the task instead.
    private async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken cancellationToken) =>
        await _store.SetAsync(key, value, options, cancellationToken).ConfigureAwait(false);

    private async Task RemoveAsync(string key, CancellationToken cancellationToken) =>
        await _store.RemoveAsync(key, cancellationToken).ConfigureAwait(false);

    private PeddlerAccessToken? OpenAny(byte[] sealedEntry, PeddlerTokenCacheContext context)
    {
        PeddlerAccessToken? token = TokenProtector.Open(EntryKey(context), context.CacheKey, sealedEntry);
        if (token is null)
        {
            RedisTokenCacheLog.SharedTokenUnreadable(_logger);
        }

        return token;
    }
}

/// <summary>A sealed entry ready to write: its bytes and how long it lives (its token's remaining lifetime).</summary>
internal readonly record struct SealedEntry(byte[] Data, TimeSpan TimeToLive)
{
    /// <summary>The expiry as <c>RedisCache</c> writes it (<c>absexp</c>, UTC ticks), from the server's point of view now.</summary>
    public long AbsoluteExpirationTicks => (DateTimeOffset.UtcNow + TimeToLive).UtcTicks;

    /// <summary>The TTL in whole milliseconds (at least 1), rounded up.</summary>
    public long TimeToLiveMilliseconds => Math.Max(1, (long)Math.Ceiling(TimeToLive.TotalMilliseconds));
}
