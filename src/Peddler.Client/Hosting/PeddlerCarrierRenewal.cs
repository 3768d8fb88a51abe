using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Peddler.Core;
using Peddler.Diagnostics;

namespace Peddler.Hosting;

/// <summary>
/// Renews the tokens of a client's run-time carriers (<see cref="PeddlerTokenProvider.ForCarrier"/>)
/// in the background, so that callers of a carrier in use never wait on the network once it has a
/// token. Only carriers used within <see cref="PeddlerClientOptions.CarrierIdleTimeout"/> are
/// renewed; a carrier without a token is left to its next caller. Each token is renewed at a point
/// between <see cref="EarliestFraction"/> and <see cref="LatestFraction"/> of the way from its
/// request to its refresh point, drawn per carrier and token, so that carriers whose tokens came
/// together do not renew together; at most <see cref="MaxConcurrentRenewals"/> renewals run at once.
/// A failed renewal keeps the carrier's token and backs off (the provider's renewal back-off); a
/// remembered refusal holds the carrier's renewals back until its window ends. With a fleet cache
/// each renewal goes through it, so a carrier renewed by another instance costs no request here.
/// </summary>
internal sealed class PeddlerCarrierRenewal(PeddlerTokenProvider client)
{
    /// <summary>Renewals in flight at most, for the whole client.</summary>
    internal const int MaxConcurrentRenewals = 4;

    /// <summary>The earliest renewal point, as a fraction of the way from a token's request to its refresh point.</summary>
    internal const double EarliestFraction = 0.5;

    /// <summary>The latest renewal point (exclusive), as a fraction of the way from a token's request to its refresh point.</summary>
    internal const double LatestFraction = 0.9;

    // Carriers are looked at again at least this often (new carriers, new tokens, new options) ...
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    // ... and at most this often, so that renewal points spread over time cost one scan a second at most.
    private static readonly TimeSpan ShortestWait = TimeSpan.FromSeconds(1);

    private readonly MonotonicClock _clock = client.Core.Clock;
    private readonly CarrierSet _carriers = client.Carriers!;

    // Under the lock: the carriers being renewed, those held back by a refusal (until when), and
    // a signal for a slot freed while the loop waits for one.
    private readonly HashSet<CarrierClient> _renewing = [];
    private readonly Dictionary<CarrierClient, long> _heldBack = [];
    private TaskCompletionSource? _slotFreed;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the start-up log says this covers.</summary>
    internal string Coverage =>
        $"run-time carriers used within {client.Settings.CarrierIdleTimeout} (at most {MaxConcurrentRenewals} renewals at once, " +
        $"each between {EarliestFraction:P0} and {LatestFraction:P0} of the way to its token's refresh point)";

    /// <summary>
    /// Where between a token's request and its refresh point a carrier renews it: in
    /// [<see cref="EarliestFraction"/>, <see cref="LatestFraction"/>), the same for the same carrier
    /// and token within a process, and different from one process to the next (string hashes are
    /// randomized per process), so that fleet instances do not renew a carrier at the same moment.
    /// </summary>
    internal static double RenewalFraction(string carrierId, long requestedAt)
    {
        uint hash = (uint)HashCode.Combine(carrierId, requestedAt);
        return EarliestFraction + ((LatestFraction - EarliestFraction) * (hash / 4294967296.0));
    }

    /// <summary>When (a <see cref="TimeProvider"/> timestamp) <paramref name="entry"/> of <paramref name="carrierId"/> is due for renewal.</summary>
    internal static long RenewalAt(string carrierId, CacheEntry entry) =>
        entry.RequestedAt + (long)((entry.RefreshAt - entry.RequestedAt) * RenewalFraction(carrierId, entry.RequestedAt));

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                Task wake = Volatile.Read(ref _wake).Task;
                long now = _clock.Now;
                long next = now + _clock.Ticks(LongestWait);
                var due = new List<(long At, CarrierClient Carrier, CacheEntry Entry)>();
                List<CarrierClient> active = _carriers.Active();
                lock (_renewing)
                {
                    foreach (CarrierClient carrier in active)
                    {
                        if (carrier.Current is not { } entry || _renewing.Contains(carrier))
                        {
                            // No token: its next caller fetches one. Renewing: its end wakes this loop if needed.
                            continue;
                        }

                        long at = Math.Max(RenewalAt(carrier.CarrierId, entry), carrier.Failures.RenewalNotBefore);
                        if (_heldBack.TryGetValue(carrier, out long heldBackUntil))
                        {
                            if (heldBackUntil <= now)
                            {
                                _heldBack.Remove(carrier);
                            }
                            else
                            {
                                at = Math.Max(at, heldBackUntil);
                            }
                        }

                        if (at <= now)
                        {
                            due.Add((at, carrier, entry));
                        }
                        else if (at < next)
                        {
                            next = at;
                        }
                    }

                    // Ended hold-backs, those of carriers evicted meanwhile included (a window is at most minutes).
                    foreach (KeyValuePair<CarrierClient, long> held in _heldBack)
                    {
                        if (held.Value <= now)
                        {
                            _heldBack.Remove(held.Key);
                        }
                    }
                }

                // The most overdue first; each waits for one of the bounded slots.
                due.Sort(static (a, b) => a.At.CompareTo(b.At));
                foreach ((_, CarrierClient carrier, CacheEntry entry) in due)
                {
                    await StartWhenAllowedAsync(carrier, stoppingToken).ConfigureAwait(false);
                    _ = RenewAsync(carrier, entry, stoppingToken);
                }

                // Until the next renewal point, or a failed renewal to plan again; never sooner than
                // ShortestWait after this scan, so that renewals failing at once cannot spin the loop.
                // (A clock that moved past the next point meanwhile means no wait at all.)
                long wait = next - _clock.Now;
                if (wait > 0)
                {
                    await WaitAsync(_clock.Span(wait), wake, stoppingToken).ConfigureAwait(false);
                }

                long early = now + _clock.Ticks(ShortestWait) - _clock.Now;
                if (early > 0)
                {
                    await Task.Delay(_clock.Span(early), _clock.TimeProvider, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; renewals in flight finish on their own.
        }
    }

    private async Task RenewAsync(CarrierClient carrier, CacheEntry entry, CancellationToken stoppingToken)
    {
        PeddlerClientDiagnostics diagnostics = carrier.Generation.Diagnostics;
        bool failed = false;
        try
        {
            RefreshStart start = carrier.TryStartRefresh(entry, stoppingToken, out Task<PeddlerAccessToken> refresh, out bool joined, out TimeSpan heldBackFor);
            if (start == RefreshStart.HeldBack)
            {
                lock (_renewing)
                {
                    _heldBack[carrier] = _clock.Now + _clock.Ticks(heldBackFor);
                }

                return;
            }

            if (start == RefreshStart.Running)
            {
                PeddlerAccessToken token = await refresh.ConfigureAwait(false);
                if (!joined)
                {
                    diagnostics.Refreshed(null);
                    PeddlerLog.BackgroundRefreshSucceeded(diagnostics.Logger, entry.Token.Fingerprint, token.Fingerprint, token.ExpiresAt);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The acquisition logged why, and the provider backs the carrier's renewals off.
            failed = true;
            diagnostics.Refreshed(ex);
            if (carrier.Current is { } kept)
            {
                PeddlerLog.BackgroundRefreshFailed(
                    diagnostics.Logger, PeddlerClientDiagnostics.ErrorType(ex), kept.Token.Fingerprint, _clock.UtcNow + _clock.Until(kept.UsableUntil), _clock.Until(carrier.Failures.RenewalNotBefore));
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
        finally
        {
            TaskCompletionSource? slotFreed;
            lock (_renewing)
            {
                _renewing.Remove(carrier);
                slotFreed = _slotFreed;
                _slotFreed = null;
            }

            slotFreed?.TrySetResult();
            if (failed)
            {
                // Plan this carrier's next attempt from its back-off.
                Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
    }

    /// <summary>Waits until fewer than <see cref="MaxConcurrentRenewals"/> renewals run, then counts <paramref name="carrier"/>'s.</summary>
    private async Task StartWhenAllowedAsync(CarrierClient carrier, CancellationToken stoppingToken)
    {
        while (true)
        {
            Task freed;
            lock (_renewing)
            {
                if (_renewing.Count < MaxConcurrentRenewals)
                {
                    _renewing.Add(carrier);
                    return;
                }

                _slotFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed = _slotFreed.Task;
            }

            await freed.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(TimeSpan delay, Task wake, CancellationToken stoppingToken)
    {
        using var cancelTimer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(Task.Delay(delay, _clock.TimeProvider, cancelTimer.Token), wake).ConfigureAwait(false);
        await cancelTimer.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
    }
}
