using System;
using System.Threading;

namespace Peddler.Endpoint;

/// <summary>
/// The time one attempt may take: its own <c>AttemptTimeout</c>, or the rest of the overall
/// timeout if that ends first, with one timer either way. The system clock cancels the source
/// directly; another <see cref="TimeProvider"/> (tests) gets a timer of its own.
/// </summary>
internal readonly struct AttemptBudget : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly ITimer? _timer;
    private readonly bool _isRestOfOverall;

    private AttemptBudget(CancellationTokenSource source, ITimer? timer, bool isRestOfOverall)
    {
        _source = source;
        _timer = timer;
        _isRestOfOverall = isRestOfOverall;
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Whether this budget ran out and it was the rest of the overall timeout: the acquisition is out of time.</summary>
    public bool OverallEnded => _isRestOfOverall && _source.IsCancellationRequested;

    public static AttemptBudget Start(TimeSpan attemptTimeout, TimeSpan remaining, TimeProvider timeProvider)
    {
        bool isRestOfOverall = attemptTimeout == Timeout.InfiniteTimeSpan || remaining <= attemptTimeout;
        TimeSpan budget = isRestOfOverall ? remaining : attemptTimeout;
        CancellationTokenSource source = SpareSource.Rent();
        ITimer? timer = null;
        if (ReferenceEquals(timeProvider, TimeProvider.System))
        {
            source.CancelAfter(budget);
        }
        else
        {
            timer = timeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), source, budget, Timeout.InfiniteTimeSpan);
        }

        return new AttemptBudget(source, timer, isRestOfOverall);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        SpareSource.Return(_source);
    }

    /// <summary>
    /// One spare source for the whole process, reused with <see cref="CancellationTokenSource.TryReset"/>
    /// (which stops its timer and drops its registrations), so that a cold acquisition does not
    /// allocate a source and a timer each time. A source that was cancelled (its attempt timed out)
    /// cannot be reset and is disposed instead.
    /// </summary>
    private static class SpareSource
    {
        private static CancellationTokenSource? s_spare;

        public static CancellationTokenSource Rent() => Interlocked.Exchange(ref s_spare, null) ?? new CancellationTokenSource();

        public static void Return(CancellationTokenSource source)
        {
            if (!source.TryReset() || Interlocked.CompareExchange(ref s_spare, source, null) is not null)
            {
                source.Dispose();
            }
        }
    }
}
