using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
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

    private readonly TimeProvider _time = provider.TimeProvider;
    private readonly PeddlerClientDiagnostics _diagnostics = provider.Diagnostics;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            int failures = 0;
            TimeSpan backoff = TimeSpan.Zero;
            bool justRenewed = false;
            while (true)
            {
                // Take the change signal before reading the cache, so no change can slip between them.
                Task changed = provider.WhenCacheChanges();
                PeddlerTokenProvider.CacheEntry? entry = provider.Current;

                TimeSpan wait = failures > 0 ? backoff : entry is null ? TimeSpan.Zero : Until(entry.BackgroundRefreshAt);
                if (justRenewed && wait < MinimumBackoff)
                {
                    // A token that is due again as soon as it arrives (expires_in near 0): don't spin.
                    wait = MinimumBackoff;
                }

                justRenewed = false;
                if (wait > TimeSpan.Zero)
                {
                    if (failures == 0 && entry is not null && _diagnostics.Logger.IsEnabled(LogLevel.Debug))
                    {
                        DateTimeOffset dueAt = _time.GetUtcNow() + wait;
                        DateTimeOffset refreshAt = WallClock(entry.RefreshAt);
                        PeddlerLog.BackgroundRefreshScheduled(_diagnostics.Logger, entry.Token.Fingerprint, dueAt, wait, refreshAt);
                    }

                    if (await WaitAsync(wait < LongestWait ? wait : LongestWait, changed, stoppingToken).ConfigureAwait(false))
                    {
                        // Someone else cached a new token (or dropped one): plan again from it.
                        if (provider.Current is not null)
                        {
                            failures = 0;
                        }

                        continue;
                    }

                    if (wait > LongestWait)
                    {
                        continue;
                    }
                }

                PeddlerTokenProvider.RefreshStart start = provider.TryStartRefresh(entry, stoppingToken, out Task<PeddlerAccessToken> refresh, out bool joined, out TimeSpan heldBackFor);
                if (start == PeddlerTokenProvider.RefreshStart.NotNeeded)
                {
                    // A caller cached a new token meanwhile: plan from that one.
                    failures = 0;
                    continue;
                }

                if (start == PeddlerTokenProvider.RefreshStart.HeldBack)
                {
                    // The endpoint refused the credentials: ask again only when the window ends
                    // (or when a token arrives, e.g. after ResetRefusal()).
                    PeddlerLog.BackgroundRefreshHeldBack(_diagnostics.Logger, heldBackFor);
                    await WaitAsync(heldBackFor < LongestWait ? heldBackFor : LongestWait, changed, stoppingToken).ConfigureAwait(false);
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
                    backoff = Core.Backoff.Renewal(provider.Settings, failures);
                    if (backoff > LongestWait)
                    {
                        backoff = LongestWait;
                    }

                    if (!joined)
                    {
                        _diagnostics.Refreshed(ex);
                    }

                    PeddlerTokenProvider.CacheEntry? kept = provider.Current;
                    if (kept is null)
                    {
                        PeddlerLog.BackgroundRefreshFailedWithoutToken(_diagnostics.Logger, PeddlerClientDiagnostics.ErrorType(ex), backoff);
                    }
                    else
                    {
                        PeddlerLog.BackgroundRefreshFailed(
                            _diagnostics.Logger, PeddlerClientDiagnostics.ErrorType(ex), kept.Token.Fingerprint, WallClock(kept.UsableUntil), backoff);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private TimeSpan Until(long timestamp)
    {
        long now = _time.GetTimestamp();
        return timestamp <= now ? TimeSpan.Zero : TimeSpan.FromSeconds((timestamp - now) / (double)_time.TimestampFrequency);
    }

    private DateTimeOffset WallClock(long timestamp) => _time.GetUtcNow() + Until(timestamp);

    /// <summary>Waits for <paramref name="delay"/>; returns <see langword="true"/> if <paramref name="changed"/> completed first.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, Task changed, CancellationToken stoppingToken)
    {
        using var cancelTimer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task timer = Task.Delay(delay, _time, cancelTimer.Token);
        Task first = await Task.WhenAny(timer, changed).ConfigureAwait(false);
        await cancelTimer.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
        return first == changed;
    }
}
