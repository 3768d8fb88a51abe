using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Peddler.Diagnostics;
using Peddler.Hosting;
using Peddler.Core;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// The background renewal of run-time carriers, on a fake clock shared with a real local server:
/// time moves only when a test advances it, so every renewal point is exact and nothing sleeps.
/// </summary>
public class CarrierRenewalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Peddler's 2-hour tokens with a 1-minute margin: the refresh point is 7,140 s after a request.
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private static PeddlerTokenProvider CreateProvider(HttpClient http, TestEnvironment env, FakeTimeProvider time, TimeSpan idleTimeout, ILogger? logger = null)
    {
        PeddlerClientOptions options = env.Options();

        // One attempt per acquisition; a failed renewal backs off for 20-40 s (half to all of 40 s).
        options.MaxRetries = 0;
        options.RetryBaseDelay = TimeSpan.FromSeconds(40);
        options.MaxRetryDelay = TimeSpan.FromSeconds(40);
        options.RefreshMargin = Margin;
        options.CarrierIdleTimeout = idleTimeout;
        options.MaxCarriers = 100_000;
        return new PeddlerTokenProvider(
            http,
            createHttpClient: null,
            options,
            ConfiguredCarrierTokens.Descriptor,
            time,
            settings => new PeddlerClientDiagnostics(nameof(ConfiguredCarrierTokens), settings.TokenEndpoint, logger, PeddlerInstruments.For(null)),
            sharedCache: null);
    }

    private static string[] Carriers(int first, int count) => Enumerable.Range(first, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static async Task WarmAsync(PeddlerTokenProvider provider, IEnumerable<string> carriers)
    {
        foreach (string[] batch in carriers.Chunk(50))
        {
            await Task.WhenAll(batch.Select(id => provider.GetCarrierTokenAsync(id).AsTask()));
        }
    }

    private static CarrierClient Carrier(PeddlerTokenProvider provider, string carrierId) => (CarrierClient)provider.ForCarrier(carrierId);

    [Fact]
    public async Task A_thousand_carriers_in_use_renew_in_the_background_spread_over_the_window_idle_ones_do_not_and_no_caller_waits()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        string[] active = Carriers(800_000, 1000);
        string[] idle = Carriers(801_000, 100);
        env.Server.AddCarriers(Fake.ClientId, active.Concat(idle));
        PeddlerTokenProvider provider = CreateProvider(env.Http, env, time, idleTimeout: TimeSpan.FromMinutes(30));
        await WarmAsync(provider, active.Concat(idle));
        Assert.Equal(1100, env.Server.TokenRequestCount);

        // Each carrier's renewal point, as the renewal computes it for the token it holds.
        long start = time.GetTimestamp();
        Dictionary<string, long> dueAt = active.ToDictionary(id => id, id => PeddlerCarrierRenewal.RenewalAt(id, Carrier(provider, id).Current!));
        long refreshAt = Carrier(provider, active[0]).Current!.RefreshAt;
        double Fraction(long at) => (at - start) / (double)(refreshAt - start);
        Assert.All(dueAt.Values, at => Assert.InRange(Fraction(at), PeddlerCarrierRenewal.EarliestFraction - 0.001, PeddlerCarrierRenewal.LatestFraction));

        await using var renewal = RenewalLoop.Start(provider);

        // Five-minute steps up to just before the refresh point (7,140 s): at each, exactly the
        // carriers whose point has passed have been renewed, and every caller is served at once.
        var renewedPerStep = new List<int>();
        int renewed = 0;
        TimeSpan step = TimeSpan.FromMinutes(5);
        for (TimeSpan elapsed = step; elapsed < TimeSpan.FromSeconds(7140) - step; elapsed += step)
        {
            long until = start + (long)(elapsed.TotalSeconds * time.TimestampFrequency);
            string[] dueNow = active.Where(id => dueAt[id] > time.GetTimestamp() && dueAt[id] <= until).ToArray();
            Task cached = Task.WhenAll(dueNow.Select(id => Carrier(provider, id).WhenCacheChanges()));
            time.Advance(step);

            await cached.WaitAsync(Patience);
            renewed += dueNow.Length;
            renewedPerStep.Add(dueNow.Length);
            Assert.Equal(1100 + renewed, env.Server.TokenRequestCount);

            // Callers of every active carrier (which keeps them in use) get a token without waiting.
            foreach (string id in active)
            {
                ValueTask<PeddlerAccessToken> call = provider.GetCarrierTokenAsync(id);
                Assert.True(call.IsCompletedSuccessfully, $"carrier {id} had to wait at {elapsed}");
            }
        }

        Assert.Equal(1000, renewed);

        // Spread: the renewals fall over the window, never a large share in one five-minute step
        // (an even spread over 0.5-0.9 of 7,140 s puts about 105 in each of its ~9.5 steps).
        Assert.True(renewedPerStep.Count(n => n > 0) >= 9, string.Join(",", renewedPerStep));
        Assert.True(renewedPerStep.Max() <= 200, string.Join(",", renewedPerStep));

        // Idle carriers (unused for 30 minutes) kept their first token: no request for them.
        Assert.All(idle, id => Assert.Equal(1, env.Server.TokenRequests.Count(r => r.GetField("scope")?.EndsWith(" " + id, StringComparison.Ordinal) == true)));
    }

    [Fact]
    public async Task No_more_than_the_bound_renew_at_once_and_a_failed_renewal_keeps_the_token_and_backs_off()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        string[] carriers = Carriers(810_000, 40);
        env.Server.AddCarriers(Fake.ClientId, carriers);
        using var gate = new GateHandler(new SocketsHttpHandler());
        using var http = new HttpClient(gate);
        using var failures = new EventCounter(eventId: 13); // BackgroundRefreshFailed: logged once the provider has recorded the failure
        PeddlerTokenProvider provider = CreateProvider(http, env, time, idleTimeout: TimeSpan.FromHours(3), failures);
        await WarmAsync(provider, carriers);
        Dictionary<string, PeddlerAccessToken> first = carriers.ToDictionary(id => id, id => Carrier(provider, id).Current!.Token);

        // Past every carrier's renewal point (0.9 of 7,140 s), before the refresh point: all are due at once.
        time.Advance(TimeSpan.FromSeconds(6500));
        gate.Hold = true;
        await using var renewal = RenewalLoop.Start(provider);

        // Requests are held at the handler; each one let go makes room for the next.
        await gate.ArrivalAsync(PeddlerCarrierRenewal.MaxConcurrentRenewals, Patience);
        for (int released = 0; released < carriers.Length; released++)
        {
            gate.ReleaseOne();
            int waiting = carriers.Length - released - 1;
            if (waiting >= PeddlerCarrierRenewal.MaxConcurrentRenewals)
            {
                await gate.ArrivalAsync(1, Patience);
            }
        }

        await Task.WhenAll(carriers.Select(id => WhenRenewedAsync(Carrier(provider, id), first[id]))).WaitAsync(Patience);
        Assert.Equal(PeddlerCarrierRenewal.MaxConcurrentRenewals, gate.MostInFlight);
        Assert.Equal(80, env.Server.TokenRequestCount);

        // A failed renewal (503) keeps the carrier's token and is tried again only after its back-off.
        gate.Hold = false;
        Dictionary<string, PeddlerAccessToken> second = carriers.ToDictionary(id => id, id => Carrier(provider, id).Current!.Token);
        env.Server.Faults.Enqueue(Testing.PeddlerFault.Status(503), carriers.Length);
        time.Advance(TimeSpan.FromSeconds(6500));
        DateTimeOffset failedAt = time.GetUtcNow();
        await failures.WaitForAsync(carriers.Length, Patience);
        Assert.Equal(120, env.Server.TokenRequestCount);
        Assert.All(carriers, id => Assert.Same(second[id], Carrier(provider, id).Current!.Token));
        Assert.All(carriers, id => Assert.True(Carrier(provider, id).Failures.RenewalNotBefore > time.GetTimestamp(), $"carrier {id} has no back-off"));

        // Past the loop's shortest wait (1 s), not past the back-off: a renewal now would ignore it.
        time.Advance(TimeSpan.FromSeconds(5));

        // After the back-off, each renews once more; none went out before it ended.
        Task renewedAgain = Task.WhenAll(carriers.Select(id => WhenRenewedAsync(Carrier(provider, id), second[id])));
        time.Advance(TimeSpan.FromSeconds(60));
        await renewedAgain.WaitAsync(Patience);
        Assert.Equal(160, env.Server.TokenRequestCount);
        Assert.All(env.Server.TokenRequests.Skip(120), r => Assert.True(r.ReceivedAt >= failedAt.AddSeconds(20), $"a renewal at {r.ReceivedAt:O} did not wait out its back-off"));
    }

    /// <summary>The renewal loop of a test, stopped (and awaited) when the test ends, whether it passed or not.</summary>
    private sealed class RenewalLoop : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        public static RenewalLoop Start(PeddlerTokenProvider provider)
        {
            var loop = new RenewalLoop();
            loop._run = new PeddlerCarrierRenewal(provider).RunAsync(loop._stop.Token);
            return loop;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(Patience);
            _stop.Dispose();
        }
    }

    private static async Task WhenRenewedAsync(CarrierClient carrier, PeddlerAccessToken replaced)
    {
        while (true)
        {
            Task changed = carrier.WhenCacheChanges();
            if (carrier.Current is { } entry && !ReferenceEquals(entry.Token, replaced))
            {
                return;
            }

            await changed;
        }
    }

    /// <summary>Counts log events with one id, and lets a test wait for a number of them.</summary>
    private sealed class EventCounter(int eventId) : ILogger, IDisposable
    {
        private readonly SemaphoreSlim _seen = new(0);

        public async Task WaitForAsync(int count, TimeSpan patience)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _seen.WaitAsync(patience), $"event {eventId} was logged {i} times, not {count}");
            }
        }

        public void Dispose() => _seen.Dispose();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId)
            {
                _seen.Release();
            }
        }
    }

    /// <summary>Counts the requests in flight; while <see cref="Hold"/> is on, holds each until the test lets one go.</summary>
    private sealed class GateHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly SemaphoreSlim _release = new(0);
        private int _inFlight;
        private int _mostInFlight;

        public volatile bool Hold;

        public int MostInFlight => Volatile.Read(ref _mostInFlight);

        public async Task ArrivalAsync(int count, TimeSpan patience)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _arrived.WaitAsync(patience), "no request arrived");
            }
        }

        public void ReleaseOne() => _release.Release();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            bool held = Hold;
            int now = Interlocked.Increment(ref _inFlight);
            try
            {
                if (held)
                {
                    int most;
                    while (now > (most = Volatile.Read(ref _mostInFlight)) && Interlocked.CompareExchange(ref _mostInFlight, now, most) != most)
                    {
                    }

                    _arrived.Release();
                    await _release.WaitAsync(cancellationToken);
                }

                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _arrived.Dispose();
                _release.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
