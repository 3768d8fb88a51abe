using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Peddler.Core;
using Peddler.Diagnostics;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// The token cache's edges, on a fake clock shared by the client and a real server: the exact ends
/// of its windows, what it counts and logs, what its health snapshot says, and how it answers a
/// refresh asked for by the background refresh.
/// </summary>
public sealed class TokenCacheTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
    private static readonly TimeSpan Margin = PeddlerClientOptions.DefaultRefreshMargin;

    private sealed class Setup : IAsyncDisposable
    {
        public required TestEnvironment Env { get; init; }

        public required FakeTimeProvider Time { get; init; }

        public required PeddlerTokenProvider Provider { get; init; }

        public required ListLoggerFactory Logs { get; init; }

        public required CountingMeters Meters { get; init; }

        public TokenCache Cache => Provider.Cache;

        public int Requests => Env.Server.TokenRequestCount;

        public IEnumerable<(LogLevel Level, EventId Id, string Message)> Logged(int eventId) => Logs.Records.Where(r => r.Id.Id == eventId);

        public async ValueTask DisposeAsync()
        {
            Meters.Dispose();
            await Env.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync(string secret = Fake.Secret, string? carrier = Fake.Carrier, PeddlerClientDescriptor? descriptor = null, Action<PeddlerClientOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, tokenLifetime: Lifetime, carrier: carrier);
        var logs = new ListLoggerFactory();
        var meters = new CountingMeters();
        PeddlerInstruments instruments = PeddlerInstruments.For(meters);
        PeddlerClientDescriptor described = descriptor ?? CarrierTokens.Descriptor;
        PeddlerClientOptions options = env.Options(secret: secret);

        // One attempt per acquisition: retry delays would wait on the fake clock.
        options.MaxRetries = 0;
        configure?.Invoke(options);
        PeddlerTokenProvider provider = Clients.Provider(env.Http, options, described, time, logs.CreateLogger("Peddler.Client." + described.ClientName), instruments);
        return new Setup { Env = env, Time = time, Provider = provider, Logs = logs, Meters = meters };
    }

    [Fact]
    public async Task Hits_misses_and_invalidations_are_counted_on_the_client_s_meter_in_and_out_of_the_refresh_window()
    {
        await using Setup s = await StartAsync();

        PeddlerAccessToken first = await s.Provider.GetTokenAsync();
        Assert.Equal(1, s.Meters.Total(PeddlerTelemetry.CacheMissesInstrument));
        Assert.Equal(0, s.Meters.Total(PeddlerTelemetry.CacheHitsInstrument));

        for (int i = 0; i < 3; i++)
        {
            Assert.Same(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
        }

        Assert.Equal(3, s.Meters.Total(PeddlerTelemetry.CacheHitsInstrument));

        // Inside the refresh window the cached token is a hit too (served while one renewal starts).
        s.Time.Advance(Lifetime - Margin + TimeSpan.FromSeconds(1));
        Assert.Same(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
        await Clients.SettledAsync(s.Provider);
        Assert.Equal(4, s.Meters.Total(PeddlerTelemetry.CacheHitsInstrument));
        Assert.Equal(1, s.Meters.Total(PeddlerTelemetry.CacheMissesInstrument));
        Assert.Equal(2, s.Requests);

        // Dropping the token is counted and logged once, with the token's fingerprint only.
        PeddlerAccessToken renewed = Clients.WithoutWaiting(s.Provider.GetTokenAsync());
        s.Provider.InvalidateToken(renewed);
        s.Provider.InvalidateToken(renewed);
        Assert.Equal(1, s.Meters.Total(PeddlerTelemetry.InvalidationsInstrument));
        var invalidated = Assert.Single(s.Logged(5));
        Assert.Contains(renewed.Fingerprint, invalidated.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(renewed.AccessToken, invalidated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_already_cancelled_on_a_miss_starts_no_request()
    {
        await using Setup s = await StartAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        ValueTask<PeddlerAccessToken> call = s.Provider.GetTokenAsync(cancelled.Token);
        Assert.True(call.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await call);
        Assert.False(s.Cache.Health().Acquiring);
        Assert.Equal(0, s.Requests);

        await s.Provider.GetTokenAsync();
        Assert.Equal(1, s.Requests);
    }

    [Fact]
    public async Task A_token_is_served_until_the_last_tick_of_its_usable_time_and_not_at_it()
    {
        await using Setup s = await StartAsync();
        PeddlerAccessToken first = await s.Provider.GetTokenAsync();

        // Usable for its lifetime less the clock-skew allowance, counted from the request's start.
        TimeSpan usable = Lifetime - PeddlerRequestSettings.ClockSkew;
        Assert.Equal(usable, s.Cache.Health().UsableFor);
        Assert.Equal(first.ExpiresAt, s.Cache.Health().ExpiresAt);

        s.Time.Advance(usable - TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.FromTicks(1), s.Cache.Health().UsableFor);
        s.Env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 100);
        Assert.Same(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
        await Clients.SettledAsync(s.Provider);

        // At its end the token is no longer usable: the caller waits for a new one and sees the outage.
        s.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(s.Cache.Health().UsableFor);
        int before = s.Requests;
        var failed = await Assert.ThrowsAsync<PeddlerException>(async () => await s.Provider.GetTokenAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(before + 1, s.Requests);
    }

    [Fact]
    public async Task A_renewal_inside_the_window_starts_again_exactly_when_its_backoff_ends_and_a_success_clears_the_failures()
    {
        await using Setup s = await StartAsync();
        PeddlerAccessToken first = await s.Provider.GetTokenAsync();
        s.Env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 1);

        s.Time.Advance(Lifetime - Margin + TimeSpan.FromSeconds(1));
        Assert.Same(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
        await Clients.SettledAsync(s.Provider);
        Assert.Equal(2, s.Requests);
        HealthSnapshot failing = s.Cache.Health();
        Assert.Equal(1, failing.RenewalFailures);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Assert.IsType<PeddlerException>(failing.LastFailure).StatusCode);

        // Logged once as a renewal of a token still served, with its fingerprint and the back-off.
        var logged = Assert.Single(s.Logged(9));
        Assert.Contains(first.Fingerprint, logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(first.AccessToken, logged.Message, StringComparison.Ordinal);

        // One tick before the back-off ends: served, nothing sent; at its end: one renewal.
        TimeSpan backoff = s.Cache.Clock.Span(s.Cache.Failures.RenewalNotBefore - s.Cache.Clock.Now);
        Assert.True(backoff > TimeSpan.Zero);
        s.Time.Advance(backoff - TimeSpan.FromTicks(1));
        Assert.Same(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
        await Clients.SettledAsync(s.Provider);
        Assert.Equal(2, s.Requests);

        s.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Same(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
        await Clients.SettledAsync(s.Provider);
        Assert.Equal(3, s.Requests);

        HealthSnapshot healthy = s.Cache.Health();
        Assert.Equal(0, healthy.RenewalFailures);
        Assert.Null(healthy.LastFailure);
        Assert.NotSame(first, Clients.WithoutWaiting(s.Provider.GetTokenAsync()));
    }

    [Fact]
    public async Task A_failed_first_acquisition_is_the_last_failure_and_is_not_logged_as_a_renewal()
    {
        await using Setup s = await StartAsync();
        s.Env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 1);

        await Assert.ThrowsAsync<PeddlerException>(async () => await s.Provider.GetTokenAsync());

        HealthSnapshot health = s.Cache.Health();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Assert.IsType<PeddlerException>(health.LastFailure).StatusCode);
        Assert.Equal(0, health.RenewalFailures);
        Assert.Null(health.UsableFor);
        Assert.Empty(s.Logged(9));
        Assert.Empty(s.Logged(7));
    }

    [Fact]
    public async Task A_background_refresh_that_fails_while_the_token_is_served_backs_off_without_the_refresh_window_s_log_line()
    {
        await using Setup s = await StartAsync();
        await s.Provider.GetTokenAsync();
        CacheEntry served = s.Cache.Current!;
        s.Env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 1);

        Assert.Equal(RefreshStart.Running, s.Cache.TryStartRefresh(served, CancellationToken.None, out Task<PeddlerAccessToken> refresh, out bool joined, out _));
        Assert.False(joined);
        await Assert.ThrowsAsync<PeddlerException>(() => refresh);
        await Clients.SettledAsync(s.Provider);

        Assert.Equal(1, s.Cache.Health().RenewalFailures);
        Assert.Empty(s.Logged(9));
        Assert.Same(served, s.Cache.Current);
    }

    [Fact]
    public async Task A_refresh_asked_for_a_token_already_replaced_is_not_needed_and_one_in_flight_is_joined()
    {
        // No client timeout the stepped clock below could reach: only the server's delay ends the request.
        await using Setup s = await StartAsync(configure: o =>
        {
            o.AttemptTimeout = Timeout.InfiniteTimeSpan;
            o.Timeout = TimeSpan.FromDays(1);
        });
        await s.Provider.GetTokenAsync();
        CacheEntry old = s.Cache.Current!;
        s.Provider.InvalidateToken();
        await s.Provider.GetTokenAsync();
        Assert.NotSame(old, s.Cache.Current);

        Assert.Equal(RefreshStart.NotNeeded, s.Cache.TryStartRefresh(old, CancellationToken.None, out _, out bool joined, out TimeSpan heldBack));
        Assert.False(joined);
        Assert.Equal(TimeSpan.Zero, heldBack);
        Assert.Equal(2, s.Requests);

        // A slow endpoint (10 s on the fake clock): the first refresh starts a request, the second joins it.
        s.Env.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromSeconds(10)));
        CacheEntry current = s.Cache.Current!;
        Assert.Equal(RefreshStart.Running, s.Cache.TryStartRefresh(current, CancellationToken.None, out Task<PeddlerAccessToken> first, out bool firstJoined, out _));
        Assert.Equal(RefreshStart.Running, s.Cache.TryStartRefresh(current, CancellationToken.None, out Task<PeddlerAccessToken> second, out bool secondJoined, out _));
        Assert.False(firstJoined);
        Assert.True(secondJoined);
        Assert.True(await Clients.AdvanceUntilAsync(s.Time, () => first.IsCompleted, TimeSpan.FromSeconds(1)));
        Assert.Same(await first, await second);
        Assert.Equal(3, s.Requests);
    }

    [Fact]
    public async Task The_cache_changed_signal_fires_when_a_token_is_dropped_and_when_one_is_cached()
    {
        await using Setup s = await StartAsync();
        await s.Provider.GetTokenAsync();

        Task dropped = s.Cache.WhenCacheChanges();
        Assert.False(dropped.IsCompleted);
        s.Provider.InvalidateToken();
        await dropped.WaitAsync(Clients.Patience);

        Task cached = s.Cache.WhenCacheChanges();
        Assert.NotSame(dropped, cached);
        Assert.False(cached.IsCompleted);
        await s.Provider.GetTokenAsync();
        await cached.WaitAsync(Clients.Patience);
    }

    [Fact]
    public async Task A_refused_client_s_refresh_is_held_back_for_the_rest_of_the_window_and_the_log_says_what_and_until_when()
    {
        await using Setup s = await StartAsync(secret: "fake-wrong-secret-for-tests");
        DateTimeOffset refusedAt = s.Time.GetUtcNow();
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await s.Provider.GetTokenAsync());

        s.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RefreshStart.HeldBack, s.Cache.TryStartRefresh(null, CancellationToken.None, out _, out bool joined, out TimeSpan heldBack));
        Assert.False(joined);
        Assert.Equal(Backoff.Refusal(1) - TimeSpan.FromSeconds(2), heldBack);
        Assert.Equal(1, s.Requests);

        var line = Assert.Single(s.Logged(7));
        Assert.Contains("the client's credentials (its client id or secret)", line.Message, StringComparison.Ordinal);
        Assert.Contains("Fix the client id or secret, then call", line.Message, StringComparison.Ordinal);
        Assert.Contains($"(until {refusedAt + Backoff.Refusal(1):O})", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-wrong-secret-for-tests", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_carrier_is_logged_as_a_scope_to_check_not_as_credentials_to_fix()
    {
        await using Setup s = await StartAsync(carrier: null, descriptor: ConfiguredCarrierTokens.Descriptor);
        s.Env.Server.AddCarriers(Fake.ClientId, ["900001"]);

        await s.Provider.GetCarrierTokenAsync("900001");
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await s.Provider.GetCarrierTokenAsync("999999"));

        var line = Assert.Single(s.Logged(7));
        Assert.Contains("the scope 'DEFAULT authenticated 999999'", line.Message, StringComparison.Ordinal);
        Assert.Contains("Check the carrier id (it is issued per carrier account); the credentials are fine", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("client's credentials", line.Message, StringComparison.Ordinal);
    }

    /// <summary>A meter factory whose meters a listener counts, by instrument name.</summary>
    private sealed class CountingMeters : IMeterFactory
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _totals = [];

        public CountingMeters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, this))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                lock (_totals)
                {
                    _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
                }
            });
            _listener.Start();
        }

        public long Total(string instrument)
        {
            lock (_totals)
            {
                return _totals.GetValueOrDefault(instrument);
            }
        }

        public Meter Create(MeterOptions options) => new(options.Name, options.Version, options.Tags, scope: this);

        public void Dispose() => _listener.Dispose();
    }
}
