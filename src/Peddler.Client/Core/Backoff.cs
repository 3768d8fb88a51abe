using System;

namespace Peddler.Core;

/// <summary>
/// The one back-off formula of the client and its named uses: <c>first * 2^(n-1)</c>, capped, and
/// with jitter (a draw in [0, 1]) scaled into half to all of that, so that many clients failing
/// together do not try again together.
/// </summary>
internal static class Backoff
{
    /// <summary>The shortest wait between two renewals of a token that failed: 1 second.</summary>
    public static readonly TimeSpan ShortestRenewal = TimeSpan.FromSeconds(1);

    /// <summary>The first refusal window after a refusal: 5 seconds.</summary>
    public static readonly TimeSpan FirstRefusal = TimeSpan.FromSeconds(5);

    /// <summary>The longest refusal window after refusals in a row: 5 minutes.</summary>
    public static readonly TimeSpan LongestRefusal = TimeSpan.FromMinutes(5);

    // 2^30 times any first delay above a millisecond is past any cap that fits a TimeSpan's range of use.
    private const int LargestExponent = 30;

    /// <summary>
    /// <c>min(first * 2^(n-1), cap)</c> for the <paramref name="n"/>-th wait (from 1; below 1 counts
    /// as 1), scaled by <c>0.5 + jitter / 2</c> when <paramref name="jitter"/> (in [0, 1]) is given.
    /// Never overflows: a result beyond <see cref="TimeSpan.MaxValue"/> is <see cref="TimeSpan.MaxValue"/>.
    /// </summary>
    public static TimeSpan Exponential(TimeSpan first, TimeSpan cap, int n, double? jitter = null)
    {
        int exponent = n <= 1 ? 0 : Math.Min(n - 1, LargestExponent);
        double milliseconds = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), cap.TotalMilliseconds);
        if (jitter is double draw)
        {
            milliseconds *= 0.5 + (draw * 0.5);
        }

        return milliseconds >= TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>
    /// The wait before retry <paramref name="attempt"/> of one acquisition: from
    /// <c>RetryBaseDelay</c>, doubling, capped at <c>MaxRetryDelay</c>, with jitter.
    /// </summary>
    public static TimeSpan Retry(PeddlerRequestSettings settings, int attempt) =>
        Exponential(settings.RetryBaseDelay, settings.MaxRetryDelay, attempt, Random.Shared.NextDouble());

    /// <summary>
    /// The wait after <paramref name="failures"/> failed renewals in a row (each renewal already
    /// retried transient failures itself): from <c>max(RetryBaseDelay, 1 s)</c>, doubling, capped at
    /// <c>max(MaxRetryDelay, that first wait)</c>, with jitter.
    /// </summary>
    public static TimeSpan Renewal(PeddlerRequestSettings settings, int failures)
    {
        TimeSpan first = settings.RetryBaseDelay > ShortestRenewal ? settings.RetryBaseDelay : ShortestRenewal;
        TimeSpan longest = settings.MaxRetryDelay > first ? settings.MaxRetryDelay : first;
        return Exponential(first, longest, failures, Random.Shared.NextDouble());
    }

    /// <summary>
    /// The refusal window after <paramref name="refusals"/> refusals in a row, during which no
    /// request is sent: 5 s, doubling, at most 5 minutes; no jitter (callers are told when it ends).
    /// </summary>
    public static TimeSpan Refusal(int refusals) => Exponential(FirstRefusal, LongestRefusal, refusals);
}
