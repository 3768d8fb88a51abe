using System;

namespace Peddler.Core;

/// <summary>
/// The one clock of a client: monotonic timestamps of its <see cref="TimeProvider"/> for every
/// schedule (refresh points, back-off windows, background renewals), with the conversions between
/// timestamps, spans and wall-clock times written once. With the system clock, a cache hit may read
/// the coarse monotonic clock (<see cref="Environment.TickCount64"/>, a few ns) instead of the fine
/// one (Stopwatch, ~25 ns on a VM): millisecond resolution is plenty for a refresh point.
/// </summary>
internal sealed class MonotonicClock(TimeProvider? timeProvider)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The clock's <see cref="TimeProvider"/> (for timers and delays).</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Whether this is the system clock, so that <see cref="Environment.TickCount64"/> measures the same time.</summary>
    public bool IsSystem { get; } = timeProvider is null || ReferenceEquals(timeProvider, TimeProvider.System);

    /// <summary>The current timestamp.</summary>
    public long Now => _time.GetTimestamp();

    /// <summary>Milliseconds on the monotonic clock: the coarse system clock, or the given TimeProvider's.</summary>
    public long NowMilliseconds => IsSystem ? Environment.TickCount64 : (long)(_time.GetTimestamp() * 1000.0 / _time.TimestampFrequency);

    /// <summary>The current wall-clock time.</summary>
    public DateTimeOffset UtcNow => _time.GetUtcNow();

    /// <summary><paramref name="span"/> in timestamp ticks.</summary>
    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary><paramref name="ticks"/> timestamp ticks as a span.</summary>
    public TimeSpan Span(long ticks) => TimeSpan.FromSeconds(ticks / (double)_time.TimestampFrequency);

    /// <summary>How long until <paramref name="timestamp"/>; zero when it has passed.</summary>
    public TimeSpan Until(long timestamp)
    {
        long now = _time.GetTimestamp();
        return timestamp <= now ? TimeSpan.Zero : Span(timestamp - now);
    }

    /// <summary>The wall-clock time of <paramref name="timestamp"/> (past or future).</summary>
    public DateTimeOffset WallClock(long timestamp) => _time.GetUtcNow() + Span(timestamp - _time.GetTimestamp());
}
