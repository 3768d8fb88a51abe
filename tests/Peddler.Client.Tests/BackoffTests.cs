using System;
using System.Linq;
using Peddler.Core;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>The one back-off formula: exact values without jitter, the cap, the exponent bound, overflow, and jitter bounds.</summary>
public class BackoffTests
{
    private static readonly TimeSpan Ms100 = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static PeddlerRequestSettings Settings(TimeSpan baseDelay, TimeSpan maxDelay) => PeddlerRequestSettings.From(
        new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, RetryBaseDelay = baseDelay, MaxRetryDelay = maxDelay },
        CarrierTokens.Descriptor);

    [Theory]
    [InlineData(int.MinValue, 100)]
    [InlineData(-1, 100)]
    [InlineData(0, 100)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(5, 1000)]
    [InlineData(6, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void Without_jitter_the_nth_wait_doubles_from_the_first_up_to_the_cap(int n, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Backoff.Exponential(Ms100, Second, n));

    [Fact]
    public void A_wait_exactly_at_the_cap_is_the_cap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(800), Backoff.Exponential(Ms100, TimeSpan.FromMilliseconds(800), 4));
        Assert.Equal(TimeSpan.FromMilliseconds(799), Backoff.Exponential(Ms100, TimeSpan.FromMilliseconds(799), 4));
    }

    [Fact]
    public void The_exponent_stops_at_30_so_huge_n_never_overflows()
    {
        TimeSpan first = TimeSpan.FromMilliseconds(1);
        Assert.Equal(TimeSpan.FromMilliseconds(1L << 29), Backoff.Exponential(first, TimeSpan.MaxValue, 30));
        Assert.Equal(TimeSpan.FromMilliseconds(1L << 30), Backoff.Exponential(first, TimeSpan.MaxValue, 31));
        Assert.Equal(TimeSpan.FromMilliseconds(1L << 30), Backoff.Exponential(first, TimeSpan.MaxValue, 32));
        Assert.Equal(TimeSpan.FromMilliseconds(1L << 30), Backoff.Exponential(first, TimeSpan.MaxValue, int.MaxValue));
    }

    [Fact]
    public void A_wait_beyond_what_a_TimeSpan_holds_is_TimeSpan_MaxValue()
    {
        Assert.Equal(TimeSpan.MaxValue, Backoff.Exponential(TimeSpan.MaxValue, TimeSpan.MaxValue, 1));
        Assert.Equal(TimeSpan.MaxValue, Backoff.Exponential(TimeSpan.FromDays(1_000_000), TimeSpan.MaxValue, int.MaxValue));
        Assert.Equal(TimeSpan.MaxValue, Backoff.Exponential(TimeSpan.MaxValue, TimeSpan.MaxValue, int.MaxValue, jitter: 1));
        Assert.Equal(TimeSpan.FromDays(7), Backoff.Exponential(TimeSpan.MaxValue, TimeSpan.FromDays(7), int.MaxValue));
    }

    [Fact]
    public void A_zero_first_delay_is_always_zero() =>
        Assert.Equal(TimeSpan.Zero, Backoff.Exponential(TimeSpan.Zero, Second, 10, jitter: 1));

    [Theory]
    [InlineData(0.0, 50)]
    [InlineData(0.5, 75)]
    [InlineData(1.0, 100)]
    public void Jitter_scales_the_wait_between_half_and_all_of_it(double jitter, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Backoff.Exponential(Ms100, Second, 1, jitter));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds * 10), Backoff.Exponential(Ms100, Second, 20, jitter));
    }

    [Fact]
    public void Retry_waits_between_half_and_all_of_the_exponential_with_real_jitter()
    {
        PeddlerRequestSettings settings = Settings(Ms100, Second);
        TimeSpan[] first = Enumerable.Range(0, 200).Select(_ => Backoff.Retry(settings, 1)).ToArray();
        Assert.All(first, wait => Assert.InRange(wait, TimeSpan.FromMilliseconds(50), Ms100));
        Assert.All(Enumerable.Range(0, 200).Select(_ => Backoff.Retry(settings, 30)), wait => Assert.InRange(wait, TimeSpan.FromMilliseconds(500), Second));
        Assert.True(first.Distinct().Count() > 1, "retry back-off has no jitter");
    }

    [Fact]
    public void Renewal_starts_at_one_second_at_least_and_its_cap_is_never_below_the_first_wait()
    {
        // RetryBaseDelay under 1 s: the first renewal wait is 1 s (with jitter), the cap MaxRetryDelay.
        PeddlerRequestSettings fast = Settings(Ms100, TimeSpan.FromSeconds(10));
        TimeSpan[] first = Enumerable.Range(0, 200).Select(_ => Backoff.Renewal(fast, 1)).ToArray();
        Assert.All(first, wait => Assert.InRange(wait, TimeSpan.FromMilliseconds(500), Second));
        Assert.True(first.Distinct().Count() > 1, "renewal back-off has no jitter");
        Assert.All(Enumerable.Range(0, 100).Select(_ => Backoff.Renewal(fast, 3)), wait => Assert.InRange(wait, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)));
        Assert.All(Enumerable.Range(0, 100).Select(_ => Backoff.Renewal(fast, 40)), wait => Assert.InRange(wait, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));

        // RetryBaseDelay over 1 s: it is the first wait.
        PeddlerRequestSettings slow = Settings(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        Assert.All(Enumerable.Range(0, 100).Select(_ => Backoff.Renewal(slow, 1)), wait => Assert.InRange(wait, Second, TimeSpan.FromSeconds(2)));

        // MaxRetryDelay under the first wait: the cap is the first wait, not MaxRetryDelay.
        PeddlerRequestSettings capped = Settings(Ms100, TimeSpan.FromMilliseconds(200));
        Assert.All(Enumerable.Range(0, 100).Select(_ => Backoff.Renewal(capped, 5)), wait => Assert.InRange(wait, TimeSpan.FromMilliseconds(500), Second));
        PeddlerRequestSettings cappedSlow = Settings(TimeSpan.FromSeconds(3), Second);
        Assert.All(Enumerable.Range(0, 100).Select(_ => Backoff.Renewal(cappedSlow, 5)), wait => Assert.InRange(wait, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3)));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(8, 300)]
    [InlineData(int.MaxValue, 300)]
    public void The_refusal_window_is_5_seconds_doubling_to_5_minutes_without_jitter(int refusals, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Refusal(refusals));
        Assert.Equal(Backoff.Refusal(refusals), Backoff.Refusal(refusals));
    }

    [Fact]
    public void The_named_bounds_are_what_the_README_promises()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.ShortestRenewal);
        Assert.Equal(TimeSpan.FromSeconds(5), Backoff.FirstRefusal);
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.LongestRefusal);
    }
}
