using System;
using System.Diagnostics.Metrics;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using Peddler.Diagnostics;

namespace Peddler.Core;

/// <summary>
/// One cached token: the entry (read without a lock on a hit), single-flight (every caller that
/// misses shares one acquisition), the refresh window (from the refresh point the cached token is
/// still served while the first caller starts one renewal nobody waits for) and, through its
/// <see cref="FailureGate"/>, remembered refusals and renewal back-off. The client's own token is a
/// <see cref="TokenCache"/>; each run-time carrier is a <see cref="CarrierClient"/>, which derives its
/// settings and shares the client's refusals.
/// </summary>
internal class TokenCache
{
    private readonly Counter<long> _cacheHits;
    private readonly KeyValuePair<string, object?> _clientTag;
    private readonly bool _coarseClock;
    private readonly object _lock = new();

    // The cache is read without a lock: one volatile read and one clock read on a hit.
    private CacheEntry? _entry;

    // The acquisition every caller that missed the cache shares; under _lock.
    private Task<PeddlerAccessToken>? _inflight;

    // Completed (and cleared) when the entry changes; created only while a background refresh waits on it.
    private TaskCompletionSource? _cacheChanged;

    public TokenCache(ClientCore core)
    {
        Core = core;
        _cacheHits = core.CacheHits;
        _clientTag = core.ClientTag;
        _coarseClock = core.Clock.IsSystem;
    }

    protected ClientCore Core { get; }

    public MonotonicClock Clock => Core.Clock;

    /// <summary>Refusals of this cache's requests, renewal back-off and the last failure.</summary>
    public FailureGate Failures { get; } = new();

    /// <summary>The cached token and its schedule, or <see langword="null"/>.</summary>
    public CacheEntry? Current => Volatile.Read(ref _entry);

    /// <summary>The settings generation this cache's requests use now.</summary>
    public virtual SettingsGeneration Generation => Core.Generation;

    /// <summary>
    /// The cached token until its refresh point; from there until it expires (less the clock-skew
    /// allowance) still the cached token, the first such caller starting one renewal in the
    /// background; without a usable token, the acquisition in flight or a new one — unless a
    /// refusal is remembered, which is answered at once.
    /// </summary>
    public ValueTask<PeddlerAccessToken> GetAsync(CancellationToken cancellationToken)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null && (_coarseClock ? Environment.TickCount64 < entry.RefreshAtTickCount : Clock.Now < entry.RefreshAt))
        {
            if (_cacheHits.Enabled)
            {
                _cacheHits.Add(1, _clientTag);
            }

            return new ValueTask<PeddlerAccessToken>(entry.Token);
        }

        return GetSlowAsync(cancellationToken);
    }

    private ValueTask<PeddlerAccessToken> GetSlowAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PeddlerAccessToken>(cancellationToken);
        }

        SettingsGeneration generation = Generation;
        if (generation.Settings.NeedsCarrier)
        {
            PeddlerClientDescriptor descriptor = Core.Descriptor;
            return ValueTask.FromException<PeddlerAccessToken>(new InvalidOperationException(
                $"{descriptor.ClientName}: no carrier: set CarrierId in the options or call ForCarrier(carrierId). Scopes '{descriptor.Scopes}' need one."));
        }

        TaskCompletionSource<PeddlerAccessToken>? started;
        CacheEntry? entry;
        Task<PeddlerAccessToken> shared;
        lock (_lock)
        {
            long now = Clock.Now;
            entry = _entry;
            if (entry is not null && now < entry.UsableUntil)
            {
                // Before the refresh point (a clock race with the fast path), or inside the refresh
                // window: the token is served as it is. In the window the first caller starts one
                // renewal that nobody waits for, unless one runs, a failed one is backing off, or a
                // refusal is remembered.
                started = now >= entry.RefreshAt && !Running && now >= Failures.RenewalNotBefore && !IsRefused(now, generation, out _)
                    ? StartLocked()
                    : null;
                shared = null!;
            }
            else
            {
                if (IsRefused(now, generation, out FailureGate.Refusal refusal))
                {
                    return ValueTask.FromException<PeddlerAccessToken>(refusal.Recreate());
                }

                // A completed task here is a finished failure (successes are in _entry): failures
                // are not cached, so start a new acquisition.
                started = Running ? null : StartLocked();
                shared = _inflight!;
                entry = null;
            }
        }

        if (entry is not null)
        {
            if (started is not null)
            {
                Run(started, entry, AcquireReason.RefreshWindow);
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
            Run(started, Volatile.Read(ref _entry), AcquireReason.CacheMiss);
        }

        generation.Diagnostics.CacheMiss();

        // Each caller waits on its own token; cancelling one wait leaves the shared request alone.
        return new ValueTask<PeddlerAccessToken>(shared.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Starts renewing <paramref name="replacing"/> (the cached entry, or <see langword="null"/>)
    /// even if it is still fresh; it stays in use until the new token arrives. Shares an acquisition
    /// already in flight (<paramref name="joined"/>). <see cref="RefreshStart.NotNeeded"/> when
    /// another token was cached since the caller looked; <see cref="RefreshStart.HeldBack"/> (the
    /// rest of the window in <paramref name="heldBackFor"/>) while a refusal is remembered.
    /// </summary>
    public RefreshStart TryStartRefresh(CacheEntry? replacing, CancellationToken cancellationToken, out Task<PeddlerAccessToken> refresh, out bool joined, out TimeSpan heldBackFor)
    {
        TaskCompletionSource<PeddlerAccessToken>? started = null;
        refresh = Task.FromResult<PeddlerAccessToken>(null!);
        joined = false;
        heldBackFor = TimeSpan.Zero;
        Task<PeddlerAccessToken> inflight;
        lock (_lock)
        {
            CacheEntry? current = _entry;
            if (current is not null && current != replacing)
            {
                return RefreshStart.NotNeeded;
            }

            long now = Clock.Now;
            if (IsRefused(now, Generation, out FailureGate.Refusal refusal))
            {
                heldBackFor = Clock.Span(refusal.Until - now);
                return RefreshStart.HeldBack;
            }

            joined = Running;
            if (!joined)
            {
                started = StartLocked();
            }

            inflight = _inflight!;
        }

        if (started is not null)
        {
            Run(started, replacing, AcquireReason.BackgroundRefresh);
        }

        refresh = inflight.WaitAsync(cancellationToken);
        return RefreshStart.Running;
    }

    /// <summary>A task that completes the next time a token is cached or dropped.</summary>
    public Task WhenCacheChanges()
    {
        TaskCompletionSource? current = Volatile.Read(ref _cacheChanged);
        if (current is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            current = Interlocked.CompareExchange(ref _cacheChanged, created, null) ?? created;
        }

        return current.Task;
    }

    /// <summary>Drops the cached token (only if it is <paramref name="rejectedToken"/>, when given) here and, with a fleet cache, fleet-wide.</summary>
    public void Reject(PeddlerAccessToken? rejectedToken)
    {
        if (Drop(rejectedToken) is { } dropped && Core.SharedCache is { } fleet)
        {
            // The shared cache never throws for its own failures; nothing to wait for here.
            _ = fleet.InvalidateAsync(new PeddlerTokenCacheContext(Core.Descriptor.ClientName, Generation.Settings, dropped, "invalidate"), dropped, CancellationToken.None);
        }
    }

    /// <summary>Drops the cached token here (only if it is <paramref name="rejectedToken"/>, when given); returns the token dropped.</summary>
    public PeddlerAccessToken? Drop(PeddlerAccessToken? rejectedToken)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null
            && (rejectedToken is null || ReferenceEquals(entry.Token, rejectedToken))
            && ReferenceEquals(Interlocked.CompareExchange(ref _entry, null, entry), entry))
        {
            Generation.Diagnostics.Invalidated(entry.Token);
            EntryChanged(acquired: false);
            SignalCacheChanged();
            return entry.Token;
        }

        return null;
    }

    /// <summary>Drops the cached token if its fingerprint is <paramref name="fingerprint"/>: another instance saw it refused.</summary>
    public void DropFingerprint(string fingerprint)
    {
        if (Volatile.Read(ref _entry) is { } entry && entry.Token.Fingerprint == fingerprint)
        {
            Drop(entry.Token);
        }
    }

    /// <summary>What a health probe reports, read under the lock without a request or a wait.</summary>
    public HealthSnapshot Health()
    {
        lock (_lock)
        {
            long now = Clock.Now;
            CacheEntry? entry = _entry;
            SettingsGeneration generation = Generation;

            // On the client's own cache a refusal of the client seen by one of its carriers counts too.
            bool refused = IsRefused(now, generation, out FailureGate.Refusal refusal) || Core.ClientRefusals.IsRefused(now, generation, out refusal);
            return new HealthSnapshot(
                entry is not null && now < entry.UsableUntil ? Clock.Span(entry.UsableUntil - now) : null,
                entry?.Token.ExpiresAt,
                Failures.RenewalFailures,
                Failures.LastFailure,
                refused ? refusal.Recreate() : null,
                refused ? Clock.Span(refusal.Until - now) : TimeSpan.Zero,
                Running);
        }
    }

    /// <summary>Whether a refusal is in force for <paramref name="generation"/> at <paramref name="now"/>.</summary>
    protected virtual bool IsRefused(long now, SettingsGeneration generation, out FailureGate.Refusal refusal) =>
        Failures.IsRefused(now, generation, out refusal);

    /// <summary>Remembers a refusal (under the lock); returns its window, or zero when it is not remembered.</summary>
    protected virtual TimeSpan RememberRefusal(PeddlerAuthenticationException refused, SettingsGeneration generation, long now) =>
        Failures.Refuse(refused, generation, now, Clock);

    /// <summary>What the refusal log line tells the operator to do about a refusal of the client's credentials.</summary>
    protected virtual string ClientRefusalAdvice => "Fix the client id or secret";

    /// <summary>Called after the entry changed: a token was cached (<paramref name="acquired"/>) or dropped.</summary>
    protected virtual void EntryChanged(bool acquired)
    {
    }

    // Under _lock.
    private bool Running => _inflight is { IsCompleted: false };

    /// <summary>Reserves the in-flight slot for an acquisition the caller runs after leaving the lock.</summary>
    private TaskCompletionSource<PeddlerAccessToken> StartLocked()
    {
        var started = new TaskCompletionSource<PeddlerAccessToken>();
        _inflight = started.Task;
        return started;
    }

    private void Run(TaskCompletionSource<PeddlerAccessToken> started, CacheEntry? replacing, AcquireReason reason) =>
        _ = RunAsync(started, replacing, reason);

    private async Task RunAsync(TaskCompletionSource<PeddlerAccessToken> started, CacheEntry? replacing, AcquireReason reason)
    {
        bool retried = false;
        while (true)
        {
            SettingsGeneration generation = Generation;
            try
            {
                CacheEntry entry = await Core.AcquireAsync(generation, replacing, reason).ConfigureAwait(false);
                lock (_lock)
                {
                    _entry = entry;
                    Failures.Succeeded();
                }

                EntryChanged(acquired: true);
                SignalCacheChanged();
                started.TrySetResult(entry.Token);
                return;
            }
            catch (PeddlerAuthenticationException) when (!retried && !ReferenceEquals(generation, Generation))
            {
                // Refused with settings that have since been replaced (e.g. the secret was rotated
                // while the request was on the wire): once more, at once, with the new ones.
                retried = true;
            }
            catch (Exception ex)
            {
                Failed(ex, reason, generation);
                started.TrySetException(ex);

                // Observed here: a renewal nobody waits for must not surface as UnobservedTaskException.
                _ = started.Task.Exception;
                return;
            }
        }
    }

    /// <summary>Remembers a refusal, or backs renewals off while the current token is still served.</summary>
    private void Failed(Exception failure, AcquireReason reason, SettingsGeneration generation)
    {
        TimeSpan window = TimeSpan.Zero;
        TimeSpan backoff = TimeSpan.Zero;
        CacheEntry? served = null;
        lock (_lock)
        {
            if (!ReferenceEquals(generation, Generation))
            {
                // Failed with settings replaced since: nothing to remember about the new ones.
                return;
            }

            long now = Clock.Now;
            if (failure is PeddlerAuthenticationException refused)
            {
                window = RememberRefusal(refused, generation, now);
            }
            else if (_entry is { } entry && now < entry.UsableUntil)
            {
                backoff = Failures.RenewalFailed(failure, generation.Settings, now, Clock);
                served = entry;
            }
            else
            {
                Failures.Failed(failure);
            }
        }

        PeddlerClientDiagnostics diagnostics = generation.Diagnostics;
        if (failure is PeddlerAuthenticationException denied && window > TimeSpan.Zero)
        {
            bool client = denied.RefusesClient;
            PeddlerLog.TokenRequestsHeldBack(
                diagnostics.Logger,
                diagnostics.TokenEndpoint,
                client ? "the client's credentials (its client id or secret)" : $"the scope '{generation.Settings.Scope}' (the carrier id or scope is not allowed for this client)",
                (int)denied.StatusCode,
                denied.Error,
                window,
                Clock.UtcNow + window,
                client ? ClientRefusalAdvice : "Check the carrier id (it is issued per carrier account); the credentials are fine");
        }
        else if (served is not null && reason == AcquireReason.RefreshWindow)
        {
            PeddlerLog.RefreshWindowRenewalFailed(
                diagnostics.Logger, served.Token.Fingerprint, PeddlerClientDiagnostics.ErrorType(failure), Clock.WallClock(served.UsableUntil), backoff);
        }
    }

    private void SignalCacheChanged() => Interlocked.Exchange(ref _cacheChanged, null)?.TrySetResult();
}
