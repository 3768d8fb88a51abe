using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using Peddler.Core;
using Peddler.Diagnostics;
using Peddler.Endpoint;
using Peddler.Internal;

namespace Peddler;

/// <summary>
/// The token machinery behind every generated client: builds Peddler's token request, retries
/// transient failures, validates the response, caches the token, renews it in the background
/// from its refresh point while still serving it, remembers refusals for a back-off window and
/// makes concurrent callers share one request. Generated classes hold one instance each.
/// </summary>
public sealed class PeddlerTokenProvider : IPeddlerTokenClient
{
    private readonly HttpClient? _httpClient;
    private readonly Func<HttpClient>? _createHttpClient;
    private readonly TimeProvider _timeProvider;
    private readonly PeddlerClientDescriptor _descriptor;
    private readonly Func<PeddlerRequestSettings, PeddlerClientDiagnostics>? _createDiagnostics;

    // Run-time carriers: the provider they were made by (null on a client's own provider), its
    // carrier id, and on the client's own provider the carriers by id (a lock-free read per lookup).
    private readonly PeddlerTokenProvider? _parent;
    private readonly string? _carrierId;
    private readonly CarrierTable? _carriers;
    private long _lastUse;
    private long _nextSweep;

    // The settings in force, their encoded request body and diagnostics: replaced as one object by
    // UpdateOptions, read once per acquisition, so an acquisition never mixes old and new settings.
    private Config _config;

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

    // A remembered refusal and how many came in a row; guarded by _gate.
    private Refusal? _refusal;
    private int _refusals;

    // On a client's own provider: a refusal of the client itself (its id or secret, not a carrier's
    // scope) seen by any of its carriers, which all its carriers honour; guarded by _gate, read lock-free.
    private Refusal? _clientRefusal;
    private int _clientRefusals;

    // Renewals in the refresh window that failed in a row, and the timestamp before which no
    // caller starts another; guarded by _gate.
    private int _renewalFailures;
    private long _renewalNotBefore;

    // Under _gate: the last acquisition's failure (renewal or not), until a token or new options.
    private Exception? _lastFailure;

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
        _createDiagnostics = diagnostics;
        PeddlerRequestSettings settings = PeddlerRequestSettings.From(options, descriptor);
        _config = new Config(new TokenEndpointClient(settings, descriptor, CreateDiagnostics(settings), _timeProvider));
        _cacheHits = _config.Diagnostics.Instruments.CacheHits;
        _clientTag = _config.Diagnostics.ClientTag;
        _sharedCache = sharedCache;
        _sharedCacheSubscription = sharedCache?.Subscribe(descriptor.ClientName, InvalidateFingerprint);
        if (sharedCache is not null)
        {
            // The one slow key derivation per secret, off the first request's path.
            settings.FleetKeys.Prepare();
        }

        if (PeddlerScopes.Split(descriptor.Scopes).Contains(PeddlerScopes.CarrierIdPlaceholder))
        {
            _carriers = new CarrierTable(NowMilliseconds());
        }
    }

    /// <summary>One carrier's provider: its own cache, single-flight and refresh; the parent's HTTP client, options and diagnostics.</summary>
    private PeddlerTokenProvider(PeddlerTokenProvider parent, string carrierId)
    {
        _parent = parent;
        _carrierId = carrierId;
        _httpClient = parent._httpClient;
        _createHttpClient = parent._createHttpClient;
        _descriptor = parent._descriptor;
        _timeProvider = parent._timeProvider;
        _coarseClock = parent._coarseClock;
        _createDiagnostics = parent._createDiagnostics;
        _cacheHits = parent._cacheHits;
        _clientTag = parent._clientTag;
        _sharedCache = parent._sharedCache;
        _config = Derive(Volatile.Read(ref parent._config));
        _lastUse = parent.NowMilliseconds();
    }

    /// <summary>On a run-time carrier's provider: its slot in the parent's <see cref="CarrierTable"/>, or -1 once evicted; set by the table under its lock.</summary>
    internal int CarrierSlot { get; set; } = -1;

    /// <summary>On a run-time carrier's provider: when it was last asked for a token (<see cref="NowMilliseconds"/>), at most a second stale.</summary>
    internal long LastUseTickCount => Volatile.Read(ref _lastUse);

    /// <summary>Milliseconds on the monotonic clock for carrier lookups: the coarse system clock, or the given TimeProvider's.</summary>
    private long NowMilliseconds() =>
        _coarseClock ? Environment.TickCount64 : (long)(_timeProvider.GetTimestamp() * 1000.0 / _timeProvider.TimestampFrequency);

    /// <summary>The token endpoint this provider calls: the options' override or the environment's.</summary>
    public Uri TokenEndpoint => Settings.TokenEndpoint;

    /// <summary>The scope this provider requests, with the run-time carrier id filled in.</summary>
    public string RequestedScope => Settings.Scope;

    /// <summary>The compile-time description of the client this provider serves.</summary>
    public PeddlerClientDescriptor Descriptor => _descriptor;

    internal PeddlerRequestSettings Settings => CurrentConfig().Settings;

    internal PeddlerClientDiagnostics Diagnostics => CurrentConfig().Diagnostics;

    /// <summary>How many run-time carriers are kept now (see <see cref="ForCarrier"/>).</summary>
    internal int CarrierCount => _carriers?.Count ?? 0;

    /// <summary>Whether this client's <c>Scopes</c> take a run-time carrier (<see cref="ForCarrier"/>).</summary>
    internal bool HasRunTimeCarriers => _carriers is not null;

    /// <summary>On a run-time carrier's provider: its carrier id.</summary>
    internal string? CarrierId => _carrierId;

    /// <summary>After a failed renewal of a token still served: the timestamp before which no renewal starts (0 if none).</summary>
    internal long RenewalNotBefore => Interlocked.Read(ref _renewalNotBefore);

    /// <summary>The run-time carriers used within <see cref="PeddlerClientOptions.CarrierIdleTimeout"/> (a snapshot).</summary>
    internal List<PeddlerTokenProvider> ActiveCarriers()
    {
        if (_carriers is null)
        {
            return [];
        }

        long now = NowMilliseconds();
        long idle = (long)Settings.CarrierIdleTimeout.TotalMilliseconds;
        return _carriers.Providers((_, lastUse) => now - lastUse <= idle);
    }

    /// <summary>
    /// A token for <paramref name="carrierId"/>: the same as
    /// <c>ForCarrier(carrierId).GetTokenAsync(cancellationToken)</c>, with a faster cache hit (one
    /// read of the carrier's slot in a compact table, without touching the carrier's client).
    /// </summary>
    /// <param name="carrierId">The carrier id: a scope token (printable ASCII without spaces, quotes or backslashes).</param>
    /// <param name="cancellationToken">Cancels this caller's wait (not a request other callers share).</param>
    /// <returns>The carrier's cached token, or a new one.</returns>
    /// <exception cref="ArgumentException"><paramref name="carrierId"/> is not a valid scope token.</exception>
    /// <exception cref="InvalidOperationException">The client's <c>Scopes</c> fix the carrier (no <c>{CarrierId}</c>).</exception>
    public ValueTask<PeddlerAccessToken> GetCarrierTokenAsync(string carrierId, CancellationToken cancellationToken = default)
    {
        if (_coarseClock && _carriers is { } carriers && carrierId is not null)
        {
            long now = Environment.TickCount64;
            if (now < Volatile.Read(ref _nextSweep) && carriers.TryGetFreshToken(carrierId, now) is { } token)
            {
                if (_cacheHits.Enabled)
                {
                    _cacheHits.Add(1, _clientTag);
                }

                return new ValueTask<PeddlerAccessToken>(token);
            }
        }

        return ForCarrier(carrierId!).GetTokenAsync(cancellationToken);
    }

    /// <summary>
    /// The token client of <paramref name="carrierId"/>, for a client whose <c>Scopes</c> contain
    /// <c>{CarrierId}</c>: it requests the scope with that carrier filled in, and has its own cached
    /// token, single-flight and refresh window; it shares this provider's HTTP client, options
    /// (and their rotation, <see cref="UpdateOptions"/>), logs and metrics (metrics carry no carrier tag).
    /// </summary>
    /// <param name="carrierId">The carrier id: a scope token (printable ASCII without spaces, quotes or backslashes).</param>
    /// <returns>The carrier's client; the same instance for the same id while it is kept.</returns>
    /// <remarks>
    /// A lookup of a known carrier is a lock-free read of its slot in a compact table. At most
    /// <see cref="PeddlerClientOptions.MaxCarriers"/> carriers (default 10,000) are kept; a carrier
    /// unused for <see cref="PeddlerClientOptions.CarrierIdleTimeout"/> (default 1 hour) is
    /// evicted, checked lazily on lookups. Eviction only forgets the carrier here: a client already
    /// handed out keeps working (its cached token included) for whoever holds it.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="carrierId"/> is not a valid scope token.</exception>
    /// <exception cref="InvalidOperationException">The client's <c>Scopes</c> fix the carrier (no <c>{CarrierId}</c>).</exception>
    public IPeddlerTokenClient ForCarrier(string carrierId)
    {
        CarrierTable carriers = _carriers ?? throw NoRunTimeCarrier();
        ArgumentNullException.ThrowIfNull(carrierId);
        long now = NowMilliseconds();
        if (now >= Volatile.Read(ref _nextSweep))
        {
            Sweep(now);
        }

        return carriers.TryGetProvider(carrierId, now) ?? AddCarrier(carriers, carrierId, now);
    }

    private PeddlerTokenProvider AddCarrier(CarrierTable carriers, string carrierId, long now)
    {
        if (!PeddlerScopes.IsScopeToken(carrierId))
        {
            throw new ArgumentException(
                $"{_descriptor.ClientName}: the carrier id '{carrierId}' is not a valid scope token (printable ASCII without spaces, quotes or backslashes).",
                nameof(carrierId));
        }

        int capacity = Settings.MaxCarriers;
        return carriers.GetOrAdd(
            carrierId,
            now,
            capacity,
            id => new PeddlerTokenProvider(this, id),
            () => carriers.Evict(IdlePredicate(now), capacity));
    }

    /// <summary>Evicts idle carriers (checked at most every quarter of the idle timeout, between 1 s and 1 min).</summary>
    private void Sweep(long now)
    {
        long idle = (long)Settings.CarrierIdleTimeout.TotalMilliseconds;
        Volatile.Write(ref _nextSweep, now + Math.Clamp(idle / 4, 1000, 60_000));
        _carriers!.Evict(IdlePredicate(now), capacity: 0);
    }

    private Func<PeddlerTokenProvider, long, bool> IdlePredicate(long now)
    {
        long idle = (long)Settings.CarrierIdleTimeout.TotalMilliseconds;
        return (_, lastUse) => now - lastUse > idle;
    }

    private InvalidOperationException NoRunTimeCarrier() => new(
        _parent is null
            ? $"{_descriptor.ClientName}: ForCarrier needs Scopes with {PeddlerScopes.CarrierIdPlaceholder}; this client's Scopes '{_descriptor.Scopes}' fix the carrier at compile time."
            : $"{_descriptor.ClientName}: this is already carrier '{_carrierId}''s client; call ForCarrier on the client's own provider.");

    /// <summary>The settings in force: on a carrier's provider, derived again when the parent's options changed.</summary>
    private Config CurrentConfig()
    {
        Config mine = Volatile.Read(ref _config);
        if (_parent is null)
        {
            return mine;
        }

        Config root = Volatile.Read(ref _parent._config);
        if (ReferenceEquals(mine.Root, root))
        {
            return mine;
        }

        // Races are harmless: an older derivation written last is derived again on the next read.
        Config derived = Derive(root);
        Volatile.Write(ref _config, derived);
        return derived;
    }

    private Config Derive(Config root)
    {
        PeddlerRequestSettings settings = root.Settings.WithCarrier(_carrierId!);
        return new Config(new TokenEndpointClient(settings, _descriptor, root.Diagnostics, _timeProvider), root);
    }

    /// <summary>
    /// Hands the provider new options (a rotated secret, another client id, endpoint, carrier or
    /// timing), used by the next token request; nothing is restarted. In a host this happens by
    /// itself when the client's configuration changes; outside one, call it yourself.
    /// </summary>
    /// <param name="options">The new options, validated and copied now.</param>
    /// <remarks>
    /// <para>
    /// The options are validated first: invalid ones throw and change nothing (the provider keeps
    /// its last valid options). Valid ones replace the settings as a whole, atomically: an
    /// acquisition uses either the old or the new settings, never a mix.
    /// </para>
    /// <para>
    /// The cached token stays in service until it expires or is refused (a rotated secret does not
    /// revoke tokens already issued), unless the scope (carrier) or token endpoint changed, which
    /// drops it. A remembered refusal is forgotten (see <see cref="ResetRefusal"/>), and a refusal
    /// of a request sent with older settings is retried once, at once, with the new ones.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are incomplete or invalid; the message names the setting, never the secret.</exception>
    public void UpdateOptions(PeddlerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_parent is not null)
        {
            throw new InvalidOperationException($"{_descriptor.ClientName}: carrier '{_carrierId}' follows the options of the client's own provider; update those.");
        }

        PeddlerRequestSettings settings = PeddlerRequestSettings.From(options, _descriptor);
        if (_sharedCache is not null)
        {
            settings.FleetKeys.Prepare();
        }

        Config previous;
        lock (_gate)
        {
            previous = _config;
            PeddlerClientDiagnostics diagnostics = settings.TokenEndpoint == previous.Settings.TokenEndpoint
                ? previous.Diagnostics
                : CreateDiagnostics(settings);
            Volatile.Write(ref _config, new Config(new TokenEndpointClient(settings, _descriptor, diagnostics, _timeProvider)));
            _refusal = null;
            _refusals = 0;
            _clientRefusal = null;
            _clientRefusals = 0;
            _lastFailure = null;
            _renewalFailures = 0;
            _renewalNotBefore = 0;
        }

        if (!string.Equals(settings.Scope, previous.Settings.Scope, StringComparison.Ordinal)
            || settings.TokenEndpoint != previous.Settings.TokenEndpoint)
        {
            // A token for another carrier or from another server is not one these settings would get.
            InvalidateLocal(null);
        }

        if (settings.TokenEndpoint != previous.Settings.TokenEndpoint && _carriers is not null)
        {
            foreach (PeddlerTokenProvider carrier in _carriers.Providers())
            {
                carrier.InvalidateLocal(null);
            }
        }
    }

    private PeddlerClientDiagnostics CreateDiagnostics(PeddlerRequestSettings settings) =>
        _createDiagnostics?.Invoke(settings)
            ?? new PeddlerClientDiagnostics(_descriptor.ClientName, settings.TokenEndpoint, null, null);

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>The cached token and its schedule, or <see langword="null"/>.</summary>
    internal CacheEntry? Current => Volatile.Read(ref _entry);

    /// <summary>Completes when the acquisition in flight (if any) has finished and been recorded; never faults.</summary>
    internal Task Settled()
    {
        Task<PeddlerAccessToken>? inflight;
        lock (_gate)
        {
            inflight = _inflight;
        }

        return inflight is null ? Task.CompletedTask : inflight.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Until the refresh point (<c>ExpiresAt - RefreshMargin</c>) the cached token is returned at
    /// once. From the refresh point until the token expires (less the clock-skew allowance) the
    /// cached token is still returned at once, and the first such caller starts one renewal in
    /// the background. Only without a usable token does a caller wait: for the request in flight,
    /// or for a new one — unless the endpoint refused the credentials within the back-off window,
    /// in which case the caller gets the same refusal at once (see <see cref="ResetRefusal"/>).
    /// </remarks>
    public ValueTask<PeddlerAccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        if (_parent is not null)
        {
            // A carrier in use is not idle, whether it is looked up each time or held.
            long now = NowMilliseconds();
            if (now - Volatile.Read(ref _lastUse) >= 1000)
            {
                Volatile.Write(ref _lastUse, now);
            }
        }

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

        return GetTokenSlow(cancellationToken);
    }

    /// <inheritdoc />
    public void InvalidateToken(PeddlerAccessToken? rejectedToken = null)
    {
        PeddlerAccessToken? dropped = InvalidateLocal(rejectedToken);
        if (dropped is not null && _sharedCache is not null)
        {
            // Fleet-wide: the shared cache never throws for its own failures; nothing to wait for here.
            _ = _sharedCache.InvalidateAsync(new PeddlerTokenCacheContext(_descriptor.ClientName, Settings, dropped, "invalidate"), dropped, CancellationToken.None);
        }
    }

    /// <summary>
    /// Forgets a remembered refusal, so that the next call asks the token endpoint again at once,
    /// e.g. after the credentials were fixed on Peddler's side. Without it, a refusal
    /// (<see cref="PeddlerAuthenticationException"/>) is remembered for a back-off window of
    /// 5 seconds, doubling with each refusal in a row up to 5 minutes, during which callers get a
    /// new exception with the same fields without a request. A token, new options
    /// (<see cref="UpdateOptions"/>, or in a host a change of the client's configuration) also end the window.
    /// </summary>
    /// <remarks>In a host, resolve the provider as <c>[FromKeyedServices("ClientName")] PeddlerTokenProvider</c>.</remarks>
    public void ResetRefusal()
    {
        lock (_gate)
        {
            _refusal = null;
            _refusals = 0;
            _clientRefusal = null;
            _clientRefusals = 0;
        }

        _parent?.ResetRefusal();
    }

    /// <summary>
    /// What a health probe reports about this provider's own token, read under the lock without a
    /// request or a wait: the token's remaining usable time, failed renewals, the last failure, the
    /// refusal in force (this provider's or, on a carrier, its client's) and whether a request is in flight.
    /// </summary>
    internal HealthSnapshot Health()
    {
        lock (_gate)
        {
            long now = _timeProvider.GetTimestamp();
            CacheEntry? entry = _entry;
            bool refused = Refused(now, out Refusal refusal);
            Refusal? clientRefusal = Volatile.Read(ref _clientRefusal);
            if (!refused && clientRefusal is not null && now < clientRefusal.Until && ReferenceEquals(clientRefusal.Config, CurrentConfig()))
            {
                // A client's own provider: a refusal of the client seen by one of its carriers.
                refused = true;
                refusal = clientRefusal;
            }

            return new HealthSnapshot(
                entry is not null && now < entry.UsableUntil ? Span(entry.UsableUntil - now) : null,
                entry?.Token.ExpiresAt,
                _renewalFailures,
                _lastFailure,
                refused ? refusal.Recreate() : null,
                refused ? Span(refusal.Until - now) : TimeSpan.Zero,
                _inflight is { IsCompleted: false });
        }
    }

    /// <summary>What <see cref="Health"/> read.</summary>
    /// <param name="UsableFor">How long the cached token is still served (less the clock-skew allowance), or <see langword="null"/> without a usable token.</param>
    /// <param name="ExpiresAt">The cached token's expiry, usable or not.</param>
    /// <param name="RenewalFailures">Renewals of the served token that failed in a row.</param>
    /// <param name="LastFailure">The last acquisition's failure since the last token or new options.</param>
    /// <param name="Refusal">The refusal in force, or <see langword="null"/>.</param>
    /// <param name="RefusedFor">The rest of the refusal's window.</param>
    /// <param name="Acquiring">Whether a token request is in flight.</param>
    internal sealed record HealthSnapshot(
        TimeSpan? UsableFor,
        DateTimeOffset? ExpiresAt,
        int RenewalFailures,
        Exception? LastFailure,
        PeddlerAuthenticationException? Refusal,
        TimeSpan RefusedFor,
        bool Acquiring);

    /// <summary>The shared (fleet) cache, if any.</summary>
    internal PeddlerSharedTokenCache? SharedCache => _sharedCache;

    /// <summary>The run-time carriers kept now (a snapshot), used or idle.</summary>
    internal List<PeddlerTokenProvider> Carriers() => _carriers?.Providers() ?? [];

    /// <summary>The remembered refusal's end, if one is in force now.</summary>
    internal DateTimeOffset? RefusedUntil
    {
        get
        {
            lock (_gate)
            {
                long now = _timeProvider.GetTimestamp();
                return Refused(now, out Refusal refusal) ? _timeProvider.GetUtcNow() + Span(refusal.Until - now) : null;
            }
        }
    }

    private PeddlerAccessToken? InvalidateLocal(PeddlerAccessToken? rejectedToken)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null
            && (rejectedToken is null || ReferenceEquals(entry.Token, rejectedToken))
            && ReferenceEquals(Interlocked.CompareExchange(ref _entry, null, entry), entry))
        {
            Diagnostics.Invalidated(entry.Token);
            _parent?._carriers!.Publish(this, _coarseClock);
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

        if (_carriers is not null)
        {
            // Run-time carriers share the client's subscription.
            foreach (PeddlerTokenProvider carrier in _carriers.Providers())
            {
                carrier.InvalidateFingerprint(fingerprint);
            }
        }
    }

    /// <summary>What <see cref="TryStartRefresh"/> did.</summary>
    internal enum RefreshStart
    {
        /// <summary>A renewal runs: started now, or joined.</summary>
        Running,

        /// <summary>Another token was cached since the caller looked: nothing to renew.</summary>
        NotNeeded,

        /// <summary>A refusal is remembered: no request until its window ends.</summary>
        HeldBack,
    }

    /// <summary>
    /// Starts renewing <paramref name="replacing"/> (the cached entry, or <see langword="null"/>)
    /// even if it is still fresh; it stays in use until the new token arrives. Shares an acquisition
    /// already in flight (<paramref name="joined"/>: a caller started it). Returns
    /// <see cref="RefreshStart.NotNeeded"/> when another token was cached since the caller looked,
    /// and <see cref="RefreshStart.HeldBack"/> (with the rest of the window in <paramref name="heldBackFor"/>)
    /// while a refusal is remembered. Used by the background refresh.
    /// </summary>
    internal RefreshStart TryStartRefresh(CacheEntry? replacing, CancellationToken cancellationToken, out Task<PeddlerAccessToken> refresh, out bool joined, out TimeSpan heldBackFor)
    {
        TaskCompletionSource<PeddlerAccessToken>? started = null;
        refresh = Task.FromResult<PeddlerAccessToken>(null!);
        joined = false;
        heldBackFor = TimeSpan.Zero;
        Task<PeddlerAccessToken> inflight;
        lock (_gate)
        {
            CacheEntry? current = _entry;
            if (current is not null && current != replacing)
            {
                return RefreshStart.NotNeeded;
            }

            long now = _timeProvider.GetTimestamp();
            if (Refused(now, out Refusal refusal))
            {
                heldBackFor = Span(refusal.Until - now);
                return RefreshStart.HeldBack;
            }

            joined = _inflight is { IsCompleted: false };
            if (!joined)
            {
                started = StartLocked();
            }

            inflight = _inflight!;
        }

        if (started is not null)
        {
            Run(started, replacing, PeddlerClientDiagnostics.BackgroundRefreshTrigger);
        }

        refresh = inflight.WaitAsync(cancellationToken);
        return RefreshStart.Running;
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

    /// <summary>Whether a refusal is in force at <paramref name="now"/>: in its window, and seen with the settings in force.</summary>
    private bool Refused(long now, out Refusal refusal)
    {
        Config config = CurrentConfig();
        refusal = _refusal!;
        if (_refusal is not null && now < _refusal.Until && ReferenceEquals(_refusal.Config, config))
        {
            return true;
        }

        // A carrier honours a refusal of its client (seen by any carrier) made with the same settings.
        refusal = _parent is null ? null! : Volatile.Read(ref _parent._clientRefusal)!;
        return refusal is not null && now < refusal.Until && ReferenceEquals(refusal.Config, config.Root);
    }


    private void SignalCacheChanged() => Interlocked.Exchange(ref _cacheChanged, null)?.TrySetResult();

    private ValueTask<PeddlerAccessToken> GetTokenSlow(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PeddlerAccessToken>(cancellationToken);
        }

        if (CurrentConfig().Settings.NeedsCarrier)
        {
            return ValueTask.FromException<PeddlerAccessToken>(new InvalidOperationException(
                $"{_descriptor.ClientName}: no carrier: set CarrierId in the options or call ForCarrier(carrierId). Scopes '{_descriptor.Scopes}' need one."));
        }

        TaskCompletionSource<PeddlerAccessToken>? started;
        CacheEntry? entry;
        Task<PeddlerAccessToken> shared;
        lock (_gate)
        {
            long now = _timeProvider.GetTimestamp();
            entry = _entry;
            if (entry is not null && now < entry.UsableUntil)
            {
                // Before the refresh point (a clock race with the fast path), or inside the refresh
                // window: the token is served as it is. In the window the first caller starts one
                // renewal that nobody waits for, unless one runs, a failed one is backing off, or a
                // refusal is remembered.
                started = now >= entry.RefreshAt
                    && (_inflight is null || _inflight.IsCompleted)
                    && now >= _renewalNotBefore
                    && !Refused(now, out _)
                    ? StartLocked()
                    : null;
                shared = null!;
            }
            else
            {
                if (Refused(now, out Refusal refusal))
                {
                    return ValueTask.FromException<PeddlerAccessToken>(refusal.Recreate());
                }

                // A completed task here is a finished failure (successes are in _entry): failures
                // are not cached, so start a new request.
                started = _inflight is null || _inflight.IsCompleted ? StartLocked() : null;
                shared = _inflight!;
                entry = null;
            }
        }

        if (entry is not null)
        {
            if (started is not null)
            {
                Run(started, entry, PeddlerClientDiagnostics.RefreshWindowTrigger);
            }

            if (_cacheHits.Enabled)
            {
                _cacheHits.Add(1, _clientTag);
            }

            return new ValueTask<PeddlerAccessToken>(entry.Token);
        }

        if (started is not null)
        {
            // Inline, on this caller's thread (no thread-pool hop): the request is on the wire
            // before this method returns. No lock is held, and the acquisition never sees this
            // caller's token, so cancelling this caller leaves the shared request alone.
            Run(started, Volatile.Read(ref _entry), PeddlerClientDiagnostics.CacheMissTrigger);
        }

        Diagnostics.CacheMiss();

        // Each caller waits on its own token; cancelling one wait leaves the shared request alone.
        return new ValueTask<PeddlerAccessToken>(shared.WaitAsync(cancellationToken));
    }

    /// <summary>Reserves the in-flight slot for an acquisition the caller runs after leaving the lock.</summary>
    private TaskCompletionSource<PeddlerAccessToken> StartLocked()
    {
        var started = new TaskCompletionSource<PeddlerAccessToken>();
        _inflight = started.Task;
        return started;
    }

    private void Run(TaskCompletionSource<PeddlerAccessToken> started, CacheEntry? replacing, string trigger) =>
        _ = RunAsync(started, replacing, trigger);

    private async Task RunAsync(TaskCompletionSource<PeddlerAccessToken> started, CacheEntry? replacing, string trigger)
    {
        PeddlerAccessToken token;
        bool retried = false;
        while (true)
        {
            Config config = CurrentConfig();
            try
            {
                token = await AcquireAndCacheAsync(config, replacing, trigger).ConfigureAwait(false);
                break;
            }
            catch (PeddlerAuthenticationException) when (!retried && !ReferenceEquals(config, CurrentConfig()))
            {
                // Refused with settings that have since been replaced (e.g. the secret was rotated
                // while the request was on the wire): once more, at once, with the new ones.
                retried = true;
            }
            catch (Exception ex)
            {
                Failed(ex, trigger, config);
                started.TrySetException(ex);

                // Observed here: a renewal nobody waits for must not surface as UnobservedTaskException.
                _ = started.Task.Exception;
                return;
            }
        }

        started.TrySetResult(token);
    }

    /// <summary>Remembers a refusal, or backs renewals off while the current token is still served.</summary>
    private void Failed(Exception failure, string trigger, Config config)
    {
        TimeSpan window = TimeSpan.Zero;
        TimeSpan backoff = TimeSpan.Zero;
        CacheEntry? served = null;
        PeddlerClientDiagnostics diagnostics = config.Diagnostics;
        lock (_gate)
        {
            long now = _timeProvider.GetTimestamp();
            if (!ReferenceEquals(config, CurrentConfig()))
            {
                // Failed with settings replaced since: nothing to remember about the new ones.
                return;
            }

            _lastFailure = failure;

            if (failure is PeddlerAuthenticationException refused)
            {
                window = RememberRefusal(refused, config, now);
            }
            else if (_entry is { } entry && now < entry.UsableUntil)
            {
                _renewalFailures++;
                backoff = Backoff.Renewal(config.Settings, _renewalFailures);
                _renewalNotBefore = now + Ticks(backoff);
                served = entry;
            }
        }

        if (failure is PeddlerAuthenticationException denied && window > TimeSpan.Zero)
        {
            bool client = denied.RefusesClient;
            PeddlerLog.TokenRequestsHeldBack(
                diagnostics.Logger,
                diagnostics.TokenEndpoint,
                client ? "the client's credentials (its client id or secret)" : $"the scope '{config.Settings.Scope}' (the carrier id or scope is not allowed for this client)",
                (int)denied.StatusCode,
                denied.Error,
                window,
                _timeProvider.GetUtcNow() + window,
                client
                    ? (_parent is null ? "Fix the client id or secret" : "Fix the client id or secret (every carrier of the client waits out this window)")
                    : "Check the carrier id (it is issued per carrier account); the credentials are fine");
        }
        else if (served is not null && trigger == PeddlerClientDiagnostics.RefreshWindowTrigger)
        {
            PeddlerLog.RefreshWindowRenewalFailed(
                diagnostics.Logger, served.Token.Fingerprint, PeddlerClientDiagnostics.ErrorType(failure), WallClock(served.UsableUntil), backoff);
        }
    }

    /// <summary>
    /// Remembers <paramref name="refused"/> (under <see cref="_gate"/>): on a carrier, a refusal of the
    /// client itself is remembered on the client's own provider, so every carrier waits out the same
    /// window; anything else stays with this provider. Returns the window, or zero when the client's
    /// settings changed meanwhile.
    /// </summary>
    private TimeSpan RememberRefusal(PeddlerAuthenticationException refused, Config config, long now)
    {
        if (_parent is not null && config.Root is { } root && refused.RefusesClient)
        {
            lock (_parent._gate)
            {
                if (!ReferenceEquals(root, Volatile.Read(ref _parent._config)))
                {
                    return TimeSpan.Zero;
                }

                TimeSpan shared = Backoff.Refusal(++_parent._clientRefusals);
                Volatile.Write(ref _parent._clientRefusal, new Refusal(refused, now + Ticks(shared), root));
                return shared;
            }
        }

        TimeSpan window = Backoff.Refusal(++_refusals);
        _refusal = new Refusal(refused, now + Ticks(window), config);
        return window;
    }

    private async Task<PeddlerAccessToken> AcquireAndCacheAsync(Config config, CacheEntry? replacing, string trigger)
    {
        long startedAt = _timeProvider.GetTimestamp();
        long startedAtTickCount = Environment.TickCount64;
        PeddlerAccessToken token;
        if (_sharedCache is null)
        {
            token = await RequestTokenAsync(config, trigger, startedAt).ConfigureAwait(false);
        }
        else
        {
            var context = new PeddlerTokenCacheContext(_descriptor.ClientName, config.Settings, replacing?.Token, trigger);
            token = await _sharedCache.GetOrRequestAsync(context, _ => RequestTokenAsync(config, trigger, _timeProvider.GetTimestamp()), CancellationToken.None).ConfigureAwait(false);
        }

        // A shared cache may hand back anything: bound it like a response.
        TimeSpan lifetime = token.ExpiresAt - _timeProvider.GetUtcNow();
        if (lifetime < TimeSpan.Zero)
        {
            lifetime = TimeSpan.Zero;
        }
        else if (lifetime > PeddlerRequestSettings.MaxTokenLifetime)
        {
            lifetime = PeddlerRequestSettings.MaxTokenLifetime;
        }

        TimeSpan skew = PeddlerRequestSettings.ClockSkew < lifetime / 4 ? PeddlerRequestSettings.ClockSkew : lifetime / 4;
        TimeSpan margin = config.Settings.RefreshMargin < lifetime / 2 ? config.Settings.RefreshMargin : lifetime / 2;
        if (margin < skew)
        {
            margin = skew;
        }

        long refreshAt = startedAt + Ticks(lifetime - margin);
        long usableUntil = startedAt + Ticks(lifetime - skew);

        // The same point on the coarse clock (used only with the system clock), from the same start.
        long refreshAtTickCount = startedAtTickCount + (long)(lifetime - margin).TotalMilliseconds;
        var entry = new CacheEntry(token, startedAt, refreshAt, refreshAtTickCount, usableUntil);
        lock (_gate)
        {
            _entry = entry;
            _refusal = null;
            _refusals = 0;
            _lastFailure = null;
            _renewalFailures = 0;
            _renewalNotBefore = 0;
        }

        if (_parent is not null && Volatile.Read(ref _parent._clientRefusal) is not null)
        {
            // A token for one carrier: the client's credentials are good again.
            lock (_parent._gate)
            {
                _parent._clientRefusal = null;
                _parent._clientRefusals = 0;
            }
        }

        _parent?._carriers!.Publish(this, _coarseClock);
        SignalCacheChanged();
        return token;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _timeProvider.TimestampFrequency);

    private TimeSpan Span(long ticks) => TimeSpan.FromSeconds(ticks / (double)_timeProvider.TimestampFrequency);

    private DateTimeOffset WallClock(long timestamp) => _timeProvider.GetUtcNow() + Span(timestamp - _timeProvider.GetTimestamp());

    private Task<PeddlerAccessToken> RequestTokenAsync(Config config, string trigger, long startedAt) =>
        config.Endpoint.AcquireAsync(_httpClient ?? _createHttpClient!(), trigger, startedAt);

    /// <summary>One generation of settings: the validated options and their endpoint client (encoded form, diagnostics).</summary>
    private sealed class Config(TokenEndpointClient endpoint, Config? root = null)
    {
        /// <summary>On a carrier's provider, the parent's settings these were derived from.</summary>
        public Config? Root { get; } = root;

        public TokenEndpointClient Endpoint { get; } = endpoint;

        public PeddlerRequestSettings Settings => Endpoint.Settings;

        public PeddlerClientDiagnostics Diagnostics => Endpoint.Diagnostics;
    }

    /// <summary>A cached token and when it is renewed.</summary>
    internal sealed class CacheEntry(PeddlerAccessToken token, long requestedAt, long refreshAt, long refreshAtTickCount, long usableUntil)
    {
        public PeddlerAccessToken Token { get; } = token;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value when the token was requested.</summary>
        public long RequestedAt { get; } = requestedAt;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value from which the first caller starts a renewal (and still gets this token).</summary>
        public long RefreshAt { get; } = refreshAt;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value from which callers wait for a new token: expiry less the clock-skew allowance.</summary>
        public long UsableUntil { get; } = usableUntil;

        /// <summary><see cref="RefreshAt"/> on the <see cref="Environment.TickCount64"/> clock, for the system clock's fast path.</summary>
        public long RefreshAtTickCount { get; } = refreshAtTickCount;

        /// <summary>
        /// The <see cref="TimeProvider.GetTimestamp"/> value at which a background refresh renews
        /// the token: halfway between its request and <see cref="RefreshAt"/>, so that a failing
        /// token endpoint has that long to recover before any caller notices.
        /// </summary>
        public long BackgroundRefreshAt => RequestedAt + ((RefreshAt - RequestedAt) / 2);
    }

    /// <summary>A remembered refusal: its fields and the timestamp its back-off window ends.</summary>
    private sealed class Refusal(PeddlerAuthenticationException refused, long until, Config config)
    {
        public long Until { get; } = until;

        /// <summary>The settings refused: new options end the refusal.</summary>
        public Config Config { get; } = config;

        /// <summary>A new exception with the same fields, so every caller gets its own stack trace.</summary>
        public PeddlerAuthenticationException Recreate() =>
            new(refused.StatusCode, refused.Error, refused.ErrorDescription, refused.ErrorUri, refused.Cause);
    }
}
