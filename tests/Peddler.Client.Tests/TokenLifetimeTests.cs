using System;
using Peddler.Core;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>The one lifetime cap: [0, 24 h], whatever the source says.</summary>
public class TokenLifetimeTests
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    [Fact]
    public void Bound_clamps_to_zero_and_24_hours_and_keeps_everything_between()
    {
        Assert.Equal(TimeSpan.Zero, TokenLifetime.Bound(TimeSpan.MinValue));
        Assert.Equal(TimeSpan.Zero, TokenLifetime.Bound(TimeSpan.FromTicks(-1)));
        Assert.Equal(TimeSpan.Zero, TokenLifetime.Bound(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromTicks(1), TokenLifetime.Bound(TimeSpan.FromTicks(1)));
        Assert.Equal(TimeSpan.FromMinutes(90), TokenLifetime.Bound(TimeSpan.FromMinutes(90)));
        Assert.Equal(Day - TimeSpan.FromTicks(1), TokenLifetime.Bound(Day - TimeSpan.FromTicks(1)));
        Assert.Equal(Day, TokenLifetime.Bound(Day));
        Assert.Equal(Day, TokenLifetime.Bound(Day + TimeSpan.FromTicks(1)));
        Assert.Equal(Day, TokenLifetime.Bound(TimeSpan.MaxValue));
        Assert.Equal(PeddlerRequestSettings.MaxTokenLifetime, Day);
    }

    [Theory]
    [InlineData(long.MinValue, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(86_399, 86_399)]
    [InlineData(86_400, 86_400)]
    [InlineData(86_401, 86_400)]
    [InlineData(922_337_203_685, 86_400)]
    [InlineData(922_337_203_686, 86_400)]
    [InlineData(long.MaxValue, 86_400)]
    public void An_expires_in_of_any_64_bit_number_of_seconds_gives_a_bounded_lifetime(long seconds, int expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), TokenLifetime.FromSeconds(seconds));
}
