using System;

namespace Peddler.Core;

/// <summary>What <see cref="TokenCache.Health"/> read, without a request or a wait.</summary>
/// <param name="UsableFor">How long the cached token is still served (less the clock-skew allowance), or <see langword="null"/> without a usable token.</param>
/// <param name="ExpiresAt">The cached token's expiry, usable or not.</param>
/// <param name="RenewalFailures">Renewals of the served token that failed in a row.</param>
/// <param name="LastFailure">The last acquisition's failure since the last token or new options.</param>
/// <param name="Refusal">The refusal in force, or <see langword="null"/>.</param>
/// <param name="RefusedFor">The rest of the refusal's window.</param>
/// <param name="Acquiring">Whether a token request is in flight.</param>
internal sealed record HealthSnapshot(
    TimeSpan? UsableFor,
    DateTimeOffset? ExpiresAt,
    int RenewalFailures,
    Exception? LastFailure,
    PeddlerAuthenticationException? Refusal,
    TimeSpan RefusedFor,
    bool Acquiring);

/// <summary>What <see cref="TokenCache.TryStartRefresh"/> did.</summary>
internal enum RefreshStart
{
    /// <summary>A renewal runs: started now, or joined.</summary>
    Running,

    /// <summary>Another token was cached since the caller looked: nothing to renew.</summary>
    NotNeeded,

    /// <summary>A refusal is remembered: no request until its window ends.</summary>
    HeldBack,
}
