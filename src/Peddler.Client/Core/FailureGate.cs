using System;
using System.Threading;

namespace Peddler.Core;

/// <summary>
/// What a token cache remembers about failures: a refusal of the endpoint (the same refusal is
/// answered without a request until its back-off window ends: 5 s, doubling with each refusal in
/// a row, at most 5 minutes), renewals of a still-served token that failed in a row (no renewal
/// starts before their back-off ends), and the last failure (for health probes). A refusal holds
/// only for the <see cref="SettingsGeneration"/> it was seen with: new options end it by
/// themselves. Thread-safe; takes no other lock.
/// </summary>
internal sealed class FailureGate
{
    private readonly object _lock = new();
    private Refusal? _refusal;
    private int _refusals;
    private int _renewalFailures;
    private long _renewalNotBefore;
    private Exception? _lastFailure;

    /// <summary>After a failed renewal of a token still served: the timestamp before which no renewal starts (0 if none).</summary>
    public long RenewalNotBefore => Interlocked.Read(ref _renewalNotBefore);

    /// <summary>Renewals of the served token that failed in a row.</summary>
    public int RenewalFailures => Volatile.Read(ref _renewalFailures);

    /// <summary>The last acquisition's failure since the last token or reset.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Whether a refusal is remembered, in force or not.</summary>
    public bool HasRefusal => Volatile.Read(ref _refusal) is not null;

    /// <summary>Whether a refusal of <paramref name="generation"/> is in force at <paramref name="now"/>.</summary>
    public bool IsRefused(long now, SettingsGeneration generation, out Refusal refusal)
    {
        refusal = Volatile.Read(ref _refusal)!;
        return refusal is not null && now < refusal.Until && ReferenceEquals(refusal.Generation, generation);
    }

    /// <summary>Remembers <paramref name="refused"/>, seen with <paramref name="generation"/>; returns its back-off window.</summary>
    public TimeSpan Refuse(PeddlerAuthenticationException refused, SettingsGeneration generation, long now, MonotonicClock clock)
    {
        lock (_lock)
        {
            _lastFailure = refused;
            TimeSpan window = Backoff.Refusal(++_refusals);
            Volatile.Write(ref _refusal, new Refusal(refused, now + clock.Ticks(window), generation));
            return window;
        }
    }

    /// <summary>Records a failed renewal of a token still served; returns the back-off before the next one.</summary>
    public TimeSpan RenewalFailed(Exception failure, PeddlerRequestSettings settings, long now, MonotonicClock clock)
    {
        lock (_lock)
        {
            _lastFailure = failure;
            TimeSpan backoff = Backoff.Renewal(settings, ++_renewalFailures);
            Interlocked.Exchange(ref _renewalNotBefore, now + clock.Ticks(backoff));
            return backoff;
        }
    }

    /// <summary>Records a failure that is neither a refusal nor a renewal of a served token.</summary>
    public void Failed(Exception failure) => Volatile.Write(ref _lastFailure, failure);

    /// <summary>A token arrived: refusals and failures are over.</summary>
    public void Succeeded() => Reset();

    /// <summary>Forgets everything (a token, or new options).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Volatile.Write(ref _refusal, null);
            _refusals = 0;
            _lastFailure = null;
            _renewalFailures = 0;
            Interlocked.Exchange(ref _renewalNotBefore, 0);
        }
    }

    /// <summary>Forgets the refusal only (<see cref="PeddlerTokenProvider.ResetRefusal"/>).</summary>
    public void ResetRefusal()
    {
        lock (_lock)
        {
            Volatile.Write(ref _refusal, null);
            _refusals = 0;
        }
    }

    /// <summary>A remembered refusal: its fields, the timestamp its window ends, the generation refused.</summary>
    internal sealed class Refusal(PeddlerAuthenticationException refused, long until, SettingsGeneration generation)
    {
        public long Until { get; } = until;

        public SettingsGeneration Generation { get; } = generation;

        /// <summary>A new exception with the same fields, so every caller gets its own stack trace.</summary>
        public PeddlerAuthenticationException Recreate() =>
            new(refused.StatusCode, refused.Error, refused.ErrorDescription, refused.ErrorUri, refused.Cause);
    }
}
