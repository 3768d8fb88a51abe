using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Peddler.Core;
using Peddler.Diagnostics;

namespace Peddler.Hosting;

/// <summary>
/// Keeps one provider's cache fresh so that callers never wait on the network after the first
/// token: fetches a token at once, then renews each token halfway to its refresh point (well
/// before it enters the refresh margin). A failed renewal leaves the still-valid token in the
/// cache and is retried with exponential backoff; while a refusal is remembered it sends nothing
/// until the back-off window ends. Runs until <c>stoppingToken</c> is cancelled.
/// </summary>
internal sealed class PeddlerBackgroundRefresh(PeddlerTokenProvider provider)
{
    // Task.Delay takes at most ~49 days; longer waits are taken in steps.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    // The shortest wait between two renewals (after a failure, or of a token due again at once).
    private static readonly TimeSpan MinimumBackoff = Core.Backoff.ShortestRenewal;

    private readonly TokenCache _cache = provider.Cache;
    private readonly MonotonicClock _clock = provider.Core.Clock;
    private readonly PeddlerClientDiagnostics _diagnostics = provider.Diagnostics;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            int failures = 0;
            long retryAt = 0;
            bool justRenewed = false;
            while (true)
            {
                // Take the change signal before reading the cache, so no change can slip between them.
                Task changed = _cache.WhenCacheChanges();
                CacheEntry? entry = _cache.Current;

                // Waits are planned to absolute timestamps, so a clock that moves on while this loop
                // logs or schedules never stretches a wait (a fake clock advanced at once included).
                long now = _clock.Now;
                long dueAt = failures > 0 ? retryAt : entry is null ? now : entry.BackgroundRefreshAt;
                if (justRenewed && dueAt < now + _clock.Ticks(MinimumBackoff))
                {
                    // A token that is due again as soon as it arrives (expires_in near 0): don't spin.
                    dueAt = now + _clock.Ticks(MinimumBackoff);
                }

                justRenewed = false;
                if (dueAt > now)
                {
                    if (failures == 0 && entry is not null && _diagnostics.Logger.IsEnabled(LogLevel.Debug))
                    {
                        TimeSpan wait = _clock.Span(dueAt - now);
                        DateTimeOffset refreshAt = _clock.WallClock(entry.RefreshAt);
                        PeddlerLog.BackgroundRefreshScheduled(_diagnostics.Logger, entry.Token.Fingerprint, _clock.UtcNow + wait, wait, refreshAt);
                    }

                    if (await WaitUntilAsync(dueAt, changed, stoppingToken).ConfigureAwait(false))
                    {
                        // Someone else cached a new token (or dropped one): plan again from it.
                        if (_cache.Current is not null)
                        {
                            failures = 0;
                        }

                        continue;
                    }

                    if (_clock.Now < dueAt)
                    {
                        // A wait longer than LongestWait is taken in steps.
                        continue;
                    }
                }

                RefreshStart start = _cache.TryStartRefresh(entry, stoppingToken, out Task<PeddlerAccessToken> refresh, out bool joined, out TimeSpan heldBackFor);
                if (start == RefreshStart.NotNeeded)
                {
                    // A caller cached a new token meanwhile: plan from that one.
                    failures = 0;
                    continue;
                }

                if (start == RefreshStart.HeldBack)
                {
                    // The endpoint refused the credentials: ask again only when the window ends
                    // (or when a token arrives, e.g. after ResetRefusal()).
                    long heldBackUntil = _clock.Now + _clock.Ticks(heldBackFor);
                    PeddlerLog.BackgroundRefreshHeldBack(_diagnostics.Logger, heldBackFor);
                    await WaitUntilAsync(heldBackUntil, changed, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    PeddlerAccessToken token = await refresh.ConfigureAwait(false);
                    failures = 0;
                    justRenewed = true;
                    if (!joined)
                    {
                        // A caller's request that the refresh only waited for is not a refresh.
                        _diagnostics.Refreshed(null);
                        PeddlerLog.BackgroundRefreshSucceeded(_diagnostics.Logger, entry?.Token.Fingerprint ?? "(none)", token.Fingerprint, token.ExpiresAt);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The acquisition already logged why; say what the refresh does next.
                    failures++;
                    TimeSpan backoff = Backoff.Renewal(provider.Settings, failures);
                    retryAt = _clock.Now + _clock.Ticks(backoff);

                    if (!joined)
                    {
                        _diagnostics.Refreshed(ex);
                    }

                    CacheEntry? kept = _cache.Current;
                    if (kept is null)
                    {
                        PeddlerLog.BackgroundRefreshFailedWithoutToken(_diagnostics.Logger, PeddlerClientDiagnostics.ErrorType(ex), backoff);
                    }
                    else
                    {
                        PeddlerLog.BackgroundRefreshFailed(
                            _diagnostics.Logger, PeddlerClientDiagnostics.ErrorType(ex), kept.Token.Fingerprint, _clock.WallClock(kept.UsableUntil), backoff);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>
    /// Waits until <paramref name="until"/> (a timestamp; at most <see cref="LongestWait"/> at a time);
    /// returns <see langword="true"/> if <paramref name="changed"/> completed first.
    /// </summary>
    private async Task<bool> WaitUntilAsync(long until, Task changed, CancellationToken stoppingToken)
    {
        TimeSpan delay = _clock.Until(until);
        if (delay <= TimeSpan.Zero || changed.IsCompleted)
        {
            return changed.IsCompleted;
        }

        using var cancelTimer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task timer = Task.Delay(delay < LongestWait ? delay : LongestWait, _clock.TimeProvider, cancelTimer.Token);
        Task first = await Task.WhenAny(timer, changed).ConfigureAwait(false);
        await cancelTimer.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
        return first == changed;
    }
}
