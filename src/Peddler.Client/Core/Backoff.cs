using System;

namespace Peddler.Core;

/// <summary>Back-off windows (placeholder until the endpoint split lands).</summary>
internal static class Backoff
{
    /// <summary>The back-off window after <paramref name="refusals"/> refusals in a row: 5 s, doubling, at most 5 minutes.</summary>
    public static TimeSpan RefusalWindow(int refusals)
    {
        double seconds = 5 * Math.Pow(2, Math.Min(refusals - 1, 16));
        return seconds >= 300 ? TimeSpan.FromMinutes(5) : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The back-off after <paramref name="failures"/> failed renewals in a row.</summary>
    public static TimeSpan RenewalDelay(PeddlerRequestSettings settings, int failures) => Hosting.PeddlerBackgroundRefresh.Backoff(settings, failures);
}
