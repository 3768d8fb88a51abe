using System;

namespace Peddler.Core;

/// <summary>The one bound on a token's lifetime, for a response's <c>expires_in</c> and a token handed back by a shared cache alike.</summary>
internal static class TokenLifetime
{
    /// <summary><paramref name="lifetime"/> clamped to [0, <see cref="PeddlerRequestSettings.MaxTokenLifetime"/>].</summary>
    public static TimeSpan Bound(TimeSpan lifetime) =>
        lifetime < TimeSpan.Zero ? TimeSpan.Zero
        : lifetime > PeddlerRequestSettings.MaxTokenLifetime ? PeddlerRequestSettings.MaxTokenLifetime
        : lifetime;
}
