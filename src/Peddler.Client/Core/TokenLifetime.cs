using System;

namespace Peddler.Core;

/// <summary>The one cap on how long a token is kept, whatever its source says.</summary>
internal static class TokenLifetime
{
    /// <summary>
    /// <paramref name="lifetime"/> clamped to [0, <see cref="PeddlerRequestSettings.MaxTokenLifetime"/>]:
    /// an expired token lives 0, one that claims more than 24 hours lives 24 hours.
    /// </summary>
    public static TimeSpan Bound(TimeSpan lifetime) =>
        lifetime < TimeSpan.Zero ? TimeSpan.Zero
        : lifetime > PeddlerRequestSettings.MaxTokenLifetime ? PeddlerRequestSettings.MaxTokenLifetime
        : lifetime;

    /// <summary>
    /// The lifetime of an <c>expires_in</c> of <paramref name="seconds"/>, bounded by <see cref="Bound"/>
    /// (a count of seconds beyond what a <see cref="TimeSpan"/> holds counts as <see cref="TimeSpan.MaxValue"/>).
    /// </summary>
    public static TimeSpan FromSeconds(long seconds) =>
        Bound(seconds >= (long)TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue
            : seconds <= (long)TimeSpan.MinValue.TotalSeconds ? TimeSpan.MinValue
            : TimeSpan.FromSeconds(seconds));
}
