using System;
using System.Collections.Concurrent;
using Peddler.Caching;

namespace Peddler.Redis;

/// <summary>
/// Which token may be shared or served: not the one being replaced, not one refused (here or by
/// another instance, for <see cref="RememberRefused"/>), and valid for longer than the client's
/// refresh margin + <see cref="MinimumRemaining"/>.
/// </summary>
internal sealed class TokenUsability
{
    /// <summary>A shared token must stay valid this much longer than the client's refresh margin.</summary>
    internal static readonly TimeSpan MinimumRemaining = TimeSpan.FromSeconds(1);

    /// <summary>How long a refused token's fingerprint is remembered, so it is never handed back.</summary>
    internal static readonly TimeSpan RememberRefused = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly TimeProvider _clock;

    /// <param name="timeProvider">The client's clock, which tokens' expiry is compared with.</param>
    /// <param name="clock">The monotonic clock of the refusal memory.</param>
    public TokenUsability(TimeProvider timeProvider, TimeProvider clock)
    {
        _timeProvider = timeProvider;
        _clock = clock;
    }

    public bool IsUsable(PeddlerAccessToken token, PeddlerTokenCacheContext context)
    {
        if (context.Replacing is { } replacing && string.Equals(replacing.AccessToken, token.AccessToken, StringComparison.Ordinal))
        {
            return false;
        }

        if (_refused.TryGetValue(token.Fingerprint, out long until) && Now < until)
        {
            return false;
        }

        return token.ExpiresAt - _timeProvider.GetUtcNow() > context.RefreshMargin + MinimumRemaining;
    }

    /// <summary>Remembers a refused token's fingerprint (and forgets the expired ones once more than 64 are kept).</summary>
    public void Remember(string fingerprint)
    {
        long now = Now;
        _refused[fingerprint] = now + (long)RememberRefused.TotalMilliseconds;
        if (_refused.Count > 64)
        {
            foreach (var entry in _refused)
            {
                if (entry.Value <= now)
                {
                    _refused.TryRemove(entry);
                }
            }
        }
    }

    // Milliseconds of the monotonic clock.
    private long Now => (long)(_clock.GetTimestamp() * (1000.0 / _clock.TimestampFrequency));
}
