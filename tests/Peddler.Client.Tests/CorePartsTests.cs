using System;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Peddler.Core;
using Peddler.Diagnostics;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>The schedule of a cached token, computed once in <see cref="CacheEntry.Schedule"/>.</summary>
public sealed class CacheEntryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static (CacheEntry Entry, FakeTimeProvider Time) Schedule(TimeSpan lifetime, TimeSpan margin, long startedAtTickCount = 1_000_000)
    {
        var time = new FakeTimeProvider(Start);
        var clock = new MonotonicClock(time);
        var token = new PeddlerAccessToken("fake-access-token", "Bearer", Start + lifetime, "DEFAULT");
        return (CacheEntry.Schedule(token, clock.Now, startedAtTickCount, margin, clock), time);
    }

    private static TimeSpan After(long timestamp, long start) => TimeSpan.FromTicks(timestamp - start);

    [Fact]
    public void A_long_lived_token_is_refreshed_its_margin_before_expiry_and_served_until_the_skew_allowance()
    {
        (CacheEntry entry, FakeTimeProvider time) = Schedule(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
        long start = entry.RequestedAt;

        Assert.Equal(time.GetTimestamp(), start);
        Assert.Equal(TimeSpan.FromMinutes(59), After(entry.RefreshAt, start));
        Assert.Equal(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(5), After(entry.UsableUntil, start));
        Assert.Equal(1_000_000 + (long)TimeSpan.FromMinutes(59).TotalMilliseconds, entry.RefreshAtTickCount);
        Assert.Equal(TimeSpan.FromMinutes(29.5), After(entry.BackgroundRefreshAt, start));
    }

    [Fact]
    public void A_short_lived_token_caps_the_skew_at_a_quarter_and_the_margin_at_half_of_its_lifetime()
    {
        // 8 s: skew min(5 s, 2 s) = 2 s; margin min(60 s, 4 s) = 4 s.
        (CacheEntry entry, _) = Schedule(TimeSpan.FromSeconds(8), TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(4), After(entry.RefreshAt, entry.RequestedAt));
        Assert.Equal(TimeSpan.FromSeconds(6), After(entry.UsableUntil, entry.RequestedAt));
        Assert.Equal(TimeSpan.FromSeconds(2), After(entry.BackgroundRefreshAt, entry.RequestedAt));
    }

    [Fact]
    public void A_margin_over_half_the_lifetime_is_cut_to_half()
    {
        // 100 s, a 60 s margin asked for: refreshed at 50 s, not at 40 s.
        (CacheEntry entry, _) = Schedule(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(60));
        Assert.Equal(TimeSpan.FromSeconds(50), After(entry.RefreshAt, entry.RequestedAt));
        Assert.Equal(TimeSpan.FromSeconds(95), After(entry.UsableUntil, entry.RequestedAt));
    }

    [Fact]
    public void A_margin_below_the_skew_allowance_is_raised_to_it()
    {
        (CacheEntry entry, _) = Schedule(TimeSpan.FromHours(1), TimeSpan.FromSeconds(1));
        Assert.Equal(entry.UsableUntil, entry.RefreshAt);
        Assert.Equal(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(5), After(entry.RefreshAt, entry.RequestedAt));
    }

    [Fact]
    public void The_margin_and_skew_exactly_at_their_caps_are_kept()
    {
        // 20 s: a quarter is the 5 s skew itself, half is a 10 s margin asked for exactly.
        (CacheEntry entry, _) = Schedule(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(10), After(entry.RefreshAt, entry.RequestedAt));
        Assert.Equal(TimeSpan.FromSeconds(15), After(entry.UsableUntil, entry.RequestedAt));
    }

    [Fact]
    public void A_lifetime_beyond_a_day_is_bounded_and_an_expired_token_is_never_fresh()
    {
        (CacheEntry year, _) = Schedule(TimeSpan.FromDays(365), TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1), After(year.RefreshAt, year.RequestedAt));

        (CacheEntry expired, _) = Schedule(TimeSpan.FromSeconds(-30), TimeSpan.FromMinutes(1));
        Assert.Equal(expired.RequestedAt, expired.RefreshAt);
        Assert.Equal(expired.RequestedAt, expired.UsableUntil);
        Assert.Equal(1_000_000, expired.RefreshAtTickCount);
    }
}

/// <summary>The run-time carriers of a client: created on first use, found again, evicted when idle.</summary>
public sealed class CarrierSetTests
{
    private readonly FakeTimeProvider _time = new();

    private CarrierSet Create(TimeSpan idleTimeout)
    {
        var options = new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, CarrierIdleTimeout = idleTimeout };
        var core = new ClientCore(new System.Net.Http.HttpClient(), null, options, ConfiguredCarrierTokens.Descriptor, _time, null, null);
        return new CarrierSet(core);
    }

    [Fact]
    public void A_carrier_is_made_once_and_found_again_and_a_bad_id_is_refused_with_the_reason()
    {
        CarrierSet carriers = Create(TimeSpan.FromMinutes(1));
        CarrierClient first = carriers.Get("900001");
        Assert.Same(first, carriers.Get("900001"));
        Assert.Equal("900001", first.CarrierId);
        Assert.Single(carriers.All());

        ArgumentException bad = Assert.Throws<ArgumentException>(() => carriers.Get("9000 01"));
        Assert.Contains("'9000 01' is not a valid scope token", bad.Message, StringComparison.Ordinal);
        Assert.Single(carriers.All());

        // Under a test clock the lock-free token read is off: the carrier's own cache decides.
        Assert.Null(carriers.TryGetFreshToken("900001"));
    }

    [Fact]
    public void A_carrier_is_active_up_to_its_idle_timeout_and_evicted_after_it_at_the_next_sweep()
    {
        CarrierSet carriers = Create(TimeSpan.FromSeconds(8));
        CarrierClient idle = carriers.Get("900001");

        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Contains(idle, carriers.Active());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(idle, carriers.Active());
        Assert.Contains(idle, carriers.All());

        // Sweeps come every quarter of the idle timeout (at least a second): this lookup sweeps.
        carriers.Get("900002");
        Assert.Single(carriers.All());
        Assert.DoesNotContain(idle, carriers.All());
        Assert.NotSame(idle, carriers.Get("900001"));
    }

    [Fact]
    public void A_carrier_idle_exactly_its_timeout_is_kept_by_a_sweep()
    {
        CarrierSet carriers = Create(TimeSpan.FromSeconds(8));
        CarrierClient kept = carriers.Get("900001");
        _time.Advance(TimeSpan.FromSeconds(8));
        carriers.Get("900002");
        Assert.Same(kept, carriers.Get("900001"));
        Assert.Equal(2, carriers.All().Count);
    }
}

/// <summary>The one clock's conversions.</summary>
public sealed class MonotonicClockTests
{
    [Fact]
    public void Only_the_system_clock_may_use_the_coarse_tick_count()
    {
        Assert.True(new MonotonicClock(null).IsSystem);
        Assert.True(new MonotonicClock(TimeProvider.System).IsSystem);
        Assert.False(new MonotonicClock(new FakeTimeProvider()).IsSystem);
    }

    [Fact]
    public void Under_another_clock_milliseconds_follow_that_clock()
    {
        var time = new FakeTimeProvider();
        var clock = new MonotonicClock(time);
        long before = clock.NowMilliseconds;
        time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(1500, clock.NowMilliseconds - before);
        Assert.Same(time, clock.TimeProvider);
    }

    [Fact]
    public void Until_is_the_rest_of_the_way_to_a_timestamp_and_zero_once_it_has_passed()
    {
        var time = new FakeTimeProvider();
        var clock = new MonotonicClock(time);
        long target = clock.Now + clock.Ticks(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(10), clock.Until(target));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), clock.Until(target));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(TimeSpan.Zero, clock.Until(target));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, clock.Until(target));
    }

    [Fact]
    public void A_timestamp_maps_to_the_wall_clock_in_the_future_and_in_the_past()
    {
        var start = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var clock = new MonotonicClock(time);
        Assert.Equal(start + TimeSpan.FromMinutes(5), clock.WallClock(clock.Now + clock.Ticks(TimeSpan.FromMinutes(5))));
        Assert.Equal(start - TimeSpan.FromMinutes(5), clock.WallClock(clock.Now - clock.Ticks(TimeSpan.FromMinutes(5))));
        Assert.Equal(start, clock.UtcNow);
        Assert.Equal(TimeSpan.FromSeconds(2.5), clock.Span(clock.Ticks(TimeSpan.FromSeconds(2.5))));
    }
}

/// <summary>What a token cache remembers about failures.</summary>
public sealed class FailureGateTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MonotonicClock _clock;
    private readonly PeddlerRequestSettings _settings;
    private readonly SettingsGeneration _generation;

    public FailureGateTests()
    {
        _clock = new MonotonicClock(_time);
        _settings = PeddlerRequestSettings.From(
            new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, RetryBaseDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromSeconds(30) },
            CarrierTokens.Descriptor);
        _generation = Generation(_settings);
    }

    private SettingsGeneration Generation(PeddlerRequestSettings settings) =>
        SettingsGeneration.Create(settings, new PeddlerClientDiagnostics("CarrierTokens", settings.TokenEndpoint, null, null), CarrierTokens.Descriptor, _time);

    private static PeddlerAuthenticationException Refused() => new(HttpStatusCode.Forbidden, "access_denied", "fake description", null);

    [Fact]
    public void A_refusal_holds_for_its_generation_until_its_window_ends()
    {
        var gate = new FailureGate();
        Assert.False(gate.HasRefusal);
        Assert.False(gate.IsRefused(_clock.Now, _generation, out _));

        TimeSpan window = gate.Refuse(Refused(), _generation, _clock.Now, _clock);
        Assert.Equal(TimeSpan.FromSeconds(5), window);
        Assert.True(gate.HasRefusal);
        Assert.True(gate.IsRefused(_clock.Now, _generation, out FailureGate.Refusal refusal));
        Assert.Equal("access_denied", refusal.Recreate().Error);
        Assert.NotSame(refusal.Recreate(), refusal.Recreate());
        Assert.False(gate.IsRefused(_clock.Now, Generation(_settings), out _));
        Assert.IsType<PeddlerAuthenticationException>(gate.LastFailure);

        _time.Advance(window - TimeSpan.FromTicks(1));
        Assert.True(gate.IsRefused(_clock.Now, _generation, out _));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(gate.IsRefused(_clock.Now, _generation, out _));

        // The second refusal in a row doubles the window.
        Assert.Equal(TimeSpan.FromSeconds(10), gate.Refuse(Refused(), _generation, _clock.Now, _clock));
    }

    [Fact]
    public void Failed_renewals_count_up_and_hold_the_next_one_back_by_the_renewal_back_off()
    {
        var gate = new FailureGate();
        var failure = new PeddlerException("fake outage");
        Assert.Equal(0, gate.RenewalNotBefore);

        long now = _clock.Now;
        TimeSpan first = gate.RenewalFailed(failure, _settings, now, _clock);
        Assert.Equal(1, gate.RenewalFailures);
        Assert.InRange(first, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(now + _clock.Ticks(first), gate.RenewalNotBefore);
        Assert.Same(failure, gate.LastFailure);

        TimeSpan second = gate.RenewalFailed(failure, _settings, now, _clock);
        Assert.Equal(2, gate.RenewalFailures);
        Assert.InRange(second, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void Resetting_the_refusal_keeps_the_renewal_state_and_a_full_reset_forgets_everything()
    {
        var gate = new FailureGate();
        var outage = new PeddlerException("fake outage");
        gate.RenewalFailed(outage, _settings, _clock.Now, _clock);
        gate.Refuse(Refused(), _generation, _clock.Now, _clock);
        gate.Refuse(Refused(), _generation, _clock.Now, _clock);

        gate.ResetRefusal();
        Assert.False(gate.HasRefusal);
        Assert.False(gate.IsRefused(_clock.Now, _generation, out _));
        Assert.Equal(1, gate.RenewalFailures);
        Assert.NotEqual(0, gate.RenewalNotBefore);

        // The streak starts again after a reset of the refusal.
        Assert.Equal(TimeSpan.FromSeconds(5), gate.Refuse(Refused(), _generation, _clock.Now, _clock));

        gate.Succeeded();
        Assert.False(gate.HasRefusal);
        Assert.Equal(0, gate.RenewalFailures);
        Assert.Equal(0, gate.RenewalNotBefore);
        Assert.Null(gate.LastFailure);
        Assert.Equal(TimeSpan.FromSeconds(5), gate.Refuse(Refused(), _generation, _clock.Now, _clock));

        gate.Failed(outage);
        Assert.Same(outage, gate.LastFailure);
        gate.Reset();
        Assert.Null(gate.LastFailure);
        Assert.False(gate.HasRefusal);
    }
}
