using System;

namespace Peddler.Core;

/// <summary>A cached token and its schedule, on the client's <see cref="MonotonicClock"/>.</summary>
internal sealed class CacheEntry
{
    private CacheEntry(PeddlerAccessToken token, long requestedAt, long refreshAt, long refreshAtTickCount, long usableUntil)
    {
        Token = token;
        RequestedAt = requestedAt;
        RefreshAt = refreshAt;
        RefreshAtTickCount = refreshAtTickCount;
        UsableUntil = usableUntil;
    }

    public PeddlerAccessToken Token { get; }

    /// <summary>The timestamp when the token was requested.</summary>
    public long RequestedAt { get; }

    /// <summary>The timestamp from which the first caller starts a renewal (and still gets this token).</summary>
    public long RefreshAt { get; }

    /// <summary>The timestamp from which callers wait for a new token: expiry less the clock-skew allowance.</summary>
    public long UsableUntil { get; }

    /// <summary><see cref="RefreshAt"/> on the <see cref="Environment.TickCount64"/> clock, for the system clock's fast path.</summary>
    public long RefreshAtTickCount { get; }

    /// <summary>
    /// The timestamp at which a background refresh renews the token: halfway between its request
    /// and <see cref="RefreshAt"/>, so that a failing token endpoint has that long to recover
    /// before any caller notices.
    /// </summary>
    public long BackgroundRefreshAt => RequestedAt + ((RefreshAt - RequestedAt) / 2);

    /// <summary>
    /// The schedule of <paramref name="token"/>, requested at <paramref name="startedAt"/>
    /// (<paramref name="startedAtTickCount"/> on the coarse clock): its lifetime bounded like a
    /// response's (a shared cache may hand back anything), the clock-skew allowance at most a
    /// quarter of it, the refresh margin at most half of it and never below the allowance.
    /// </summary>
    public static CacheEntry Schedule(PeddlerAccessToken token, long startedAt, long startedAtTickCount, TimeSpan refreshMargin, MonotonicClock clock)
    {
        TimeSpan lifetime = TokenLifetime.Bound(token.ExpiresAt - clock.UtcNow);
        TimeSpan skew = PeddlerRequestSettings.ClockSkew < lifetime / 4 ? PeddlerRequestSettings.ClockSkew : lifetime / 4;
        TimeSpan margin = refreshMargin < lifetime / 2 ? refreshMargin : lifetime / 2;
        if (margin < skew)
        {
            margin = skew;
        }

        return new CacheEntry(
            token,
            startedAt,
            startedAt + clock.Ticks(lifetime - margin),
            startedAtTickCount + (long)(lifetime - margin).TotalMilliseconds,
            startedAt + clock.Ticks(lifetime - skew));
    }
}
