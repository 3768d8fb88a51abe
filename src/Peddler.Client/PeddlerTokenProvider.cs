using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using Peddler.Diagnostics;

namespace Peddler;

/// <summary>
/// The token machinery behind every generated client: builds Peddler's token request, retries
/// transient failures, validates the response, caches the token until its refresh point and
/// makes concurrent callers share one request. Generated classes hold one instance each.
/// </summary>
public sealed class PeddlerTokenProvider : IPeddlerTokenClient
{
    private readonly HttpClient? _httpClient;
    private readonly Func<HttpClient>? _createHttpClient;
    private readonly TimeProvider _timeProvider;
    private readonly PeddlerClientDescriptor _descriptor;
    private readonly PeddlerRequestSettings _settings;
    private readonly ReadOnlyMemory<byte> _requestBody;
    private readonly PeddlerClientDiagnostics _diagnostics;

    // A second-level cache shared with other instances (e.g. Redis), or null; consulted only where
    // the provider would call the token endpoint.
    private readonly PeddlerSharedTokenCache? _sharedCache;
    private readonly IDisposable? _sharedCacheSubscription;

    // With the system clock a cache hit reads the coarse monotonic clock (Environment.TickCount64,
    // a few ns) instead of the fine one (Stopwatch, ~25 ns on a VM): millisecond resolution is
    // plenty for a refresh point a minute before expiry. Other TimeProviders (tests) use theirs.
    private readonly bool _coarseClock;

    // Read on every cache hit: kept in fields so that a hit with no listener costs one bool read.
    private readonly Counter<long> _cacheHits;
    private readonly KeyValuePair<string, object?> _clientTag;

    // The cache is read without a lock: one volatile read and one clock read on a hit.
    private CacheEntry? _entry;

    // The in-flight request shared by every caller that missed the cache; guarded by _gate.
    private readonly object _gate = new();
    private Task<PeddlerAccessToken>? _inflight;

    // Completed (and cleared) when the cache changes; created only while a background refresh waits on it.
    private TaskCompletionSource? _cacheChanged;

    /// <summary>Creates a provider. Generated constructors call this.</summary>
    /// <param name="httpClient">The client used to call the token endpoint; not disposed by the provider.</param>
    /// <param name="options">Run-time settings, validated and copied now.</param>
    /// <param name="descriptor">The generated client's compile-time description.</param>
    /// <param name="timeProvider">The clock for expiry, refresh and retry delays; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are incomplete or invalid; the message names the setting, never the secret.</exception>
    public PeddlerTokenProvider(HttpClient httpClient, PeddlerClientOptions options, PeddlerClientDescriptor descriptor, TimeProvider? timeProvider = null)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), null, options, descriptor, timeProvider, null, null)
    {
    }

    /// <summary>
    /// Creates a provider that calls the token endpoint through <paramref name="httpClient"/>, or
    /// through a client from <paramref name="createHttpClient"/> per acquisition (IHttpClientFactory),
    /// and reports to <paramref name="diagnostics"/>.
    /// </summary>
    internal PeddlerTokenProvider(
        HttpClient? httpClient,
        Func<HttpClient>? createHttpClient,
        PeddlerClientOptions options,
        PeddlerClientDescriptor descriptor,
        TimeProvider? timeProvider,
        Func<PeddlerRequestSettings, PeddlerClientDiagnostics>? diagnostics,
        PeddlerSharedTokenCache? sharedCache)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(descriptor);
        _httpClient = httpClient;
        _createHttpClient = createHttpClient;
        _descriptor = descriptor;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _coarseClock = ReferenceEquals(_timeProvider, TimeProvider.System);
        _settings = PeddlerRequestSettings.From(options, descriptor);
        _requestBody = PeddlerTokenRequest.EncodeBody(_settings);
        _diagnostics = diagnostics?.Invoke(_settings)
            ?? new PeddlerClientDiagnostics(descriptor.ClientName, _settings.TokenEndpoint, null, null);
        _cacheHits = _diagnostics.Instruments.CacheHits;
        _clientTag = _diagnostics.ClientTag;
        _sharedCache = sharedCache;
        _sharedCacheSubscription = sharedCache?.Subscribe(descriptor.ClientName, InvalidateFingerprint);
    }

    /// <summary>The token endpoint this provider calls: the options' override or the environment's.</summary>
    public Uri TokenEndpoint => _settings.TokenEndpoint;

    /// <summary>The scope this provider requests, with the run-time carrier id filled in.</summary>
    public string RequestedScope => _settings.Scope;

    /// <summary>The compile-time description of the client this provider serves.</summary>
    public PeddlerClientDescriptor Descriptor => _descriptor;

    internal PeddlerRequestSettings Settings => _settings;

    internal PeddlerClientDiagnostics Diagnostics => _diagnostics;

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>The cached token and its schedule, or <see langword="null"/>.</summary>
    internal CacheEntry? Current => Volatile.Read(ref _entry);

    /// <inheritdoc />
    public ValueTask<PeddlerAccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null
            && (_coarseClock ? Environment.TickCount64 < entry.RefreshAtTickCount : _timeProvider.GetTimestamp() < entry.RefreshAt))
        {
            if (_cacheHits.Enabled)
            {
                _cacheHits.Add(1, _clientTag);
            }

            return new ValueTask<PeddlerAccessToken>(entry.Token);
        }

        return new ValueTask<PeddlerAccessToken>(GetTokenSlowAsync(cancellationToken));
    }

    /// <inheritdoc />
    public void InvalidateToken(PeddlerAccessToken? rejectedToken = null)
    {
        PeddlerAccessToken? dropped = InvalidateLocal(rejectedToken);
        if (dropped is not null && _sharedCache is not null)
        {
            // Fleet-wide: the shared cache never throws for its own failures; nothing to wait for here.
            _ = _sharedCache.InvalidateAsync(new PeddlerTokenCacheContext(_descriptor.ClientName, _settings, dropped, "invalidate"), dropped, CancellationToken.None);
        }
    }

    private PeddlerAccessToken? InvalidateLocal(PeddlerAccessToken? rejectedToken)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null
            && (rejectedToken is null || ReferenceEquals(entry.Token, rejectedToken))
            && ReferenceEquals(Interlocked.CompareExchange(ref _entry, null, entry), entry))
        {
            _diagnostics.Invalidated(entry.Token);
            SignalCacheChanged();
            return entry.Token;
        }

        return null;
    }

    /// <summary>Drops the cached token if its fingerprint is <paramref name="fingerprint"/>: another instance saw it refused.</summary>
    private void InvalidateFingerprint(string fingerprint)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null && entry.Token.Fingerprint == fingerprint)
        {
            InvalidateLocal(entry.Token);
        }
    }

    /// <summary>
    /// Starts renewing <paramref name="replacing"/> (the cached entry, or <see langword="null"/>)
    /// even if it is still fresh; it stays in use until the new token arrives. Shares an acquisition
    /// already in flight (<paramref name="joined"/>: a caller started it). Returns <see langword="false"/>
    /// when another token was cached since the caller looked, so there is nothing to renew. Used by
    /// the background refresh.
    /// </summary>
    internal bool TryStartRefresh(CacheEntry? replacing, CancellationToken cancellationToken, out Task<PeddlerAccessToken> refresh, out bool joined)
    {
        lock (_gate)
        {
            CacheEntry? current = _entry;
            if (current is not null && current != replacing)
            {
                refresh = Task.FromResult(current.Token);
                joined = false;
                return false;
            }

            Task<PeddlerAccessToken>? inflight = _inflight;
            joined = inflight is { IsCompleted: false };
            if (inflight is null || inflight.IsCompleted)
            {
                inflight = _inflight = Task.Run(() => AcquireAndCacheAsync(PeddlerClientDiagnostics.BackgroundRefreshTrigger));
            }

            refresh = inflight.WaitAsync(cancellationToken);
            return true;
        }
    }

    /// <summary>A task that completes the next time a token is cached or invalidated.</summary>
    internal Task WhenCacheChanges()
    {
        TaskCompletionSource? current = Volatile.Read(ref _cacheChanged);
        if (current is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            current = Interlocked.CompareExchange(ref _cacheChanged, created, null) ?? created;
        }

        return current.Task;
    }

    private void SignalCacheChanged() => Interlocked.Exchange(ref _cacheChanged, null)?.TrySetResult();

    private Task<PeddlerAccessToken> GetTokenSlowAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<PeddlerAccessToken>(cancellationToken);
        }

        Task<PeddlerAccessToken> shared;
        lock (_gate)
        {
            CacheEntry? entry = _entry;
            if (entry is not null && _timeProvider.GetTimestamp() < entry.RefreshAt)
            {
                return Task.FromResult(entry.Token);
            }

            // A completed task here is a finished failure (successes are in _entry): failures
            // are not cached, so start a new request.
            if (_inflight is null || _inflight.IsCompleted)
            {
                _inflight = Task.Run(() => AcquireAndCacheAsync(PeddlerClientDiagnostics.CacheMissTrigger));
            }

            shared = _inflight;
        }

        _diagnostics.CacheMiss();

        // Each caller waits on its own token; cancelling one wait leaves the shared request alone.
        return shared.WaitAsync(cancellationToken);
    }

    private async Task<PeddlerAccessToken> AcquireAndCacheAsync(string trigger)
    {
        long startedAt = _timeProvider.GetTimestamp();
        PeddlerAccessToken token;
        if (_sharedCache is null)
        {
            token = await RequestTokenAsync(trigger).ConfigureAwait(false);
        }
        else
        {
            var context = new PeddlerTokenCacheContext(_descriptor.ClientName, _settings, Volatile.Read(ref _entry)?.Token, trigger);
            token = await _sharedCache.GetOrRequestAsync(context, _ => RequestTokenAsync(trigger), CancellationToken.None).ConfigureAwait(false);
        }

        TimeSpan lifetime = token.ExpiresAt - _timeProvider.GetUtcNow();
        if (lifetime < TimeSpan.Zero)
        {
            lifetime = TimeSpan.Zero;
        }

        TimeSpan margin = _settings.RefreshMargin < lifetime / 2 ? _settings.RefreshMargin : lifetime / 2;
        long refreshAt = startedAt + (long)((lifetime - margin).TotalSeconds * _timeProvider.TimestampFrequency);
        long now = _timeProvider.GetTimestamp();
        long refreshAtTickCount = Environment.TickCount64 + (long)((refreshAt - now) * 1000.0 / _timeProvider.TimestampFrequency);
        Volatile.Write(ref _entry, new CacheEntry(token, startedAt, refreshAt, refreshAtTickCount));
        SignalCacheChanged();
        return token;
    }

    private Task<PeddlerAccessToken> RequestTokenAsync(string trigger) =>
        PeddlerTokenRequest.AcquireAsync(_httpClient ?? _createHttpClient!(), _settings, _descriptor, _requestBody, _timeProvider, _diagnostics, trigger);

    /// <summary>A cached token and when it is renewed.</summary>
    internal sealed class CacheEntry(PeddlerAccessToken token, long requestedAt, long refreshAt, long refreshAtTickCount)
    {
        public PeddlerAccessToken Token { get; } = token;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value when the token was requested.</summary>
        public long RequestedAt { get; } = requestedAt;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value from which callers wait for a new token.</summary>
        public long RefreshAt { get; } = refreshAt;

        /// <summary><see cref="RefreshAt"/> on the <see cref="Environment.TickCount64"/> clock, for the system clock's fast path.</summary>
        public long RefreshAtTickCount { get; } = refreshAtTickCount;

        /// <summary>
        /// The <see cref="TimeProvider.GetTimestamp"/> value at which a background refresh renews
        /// the token: halfway between its request and <see cref="RefreshAt"/>, so that a failing
        /// token endpoint has that long to recover before any caller notices.
        /// </summary>
        public long BackgroundRefreshAt => RequestedAt + ((RefreshAt - RequestedAt) / 2);
    }
}
