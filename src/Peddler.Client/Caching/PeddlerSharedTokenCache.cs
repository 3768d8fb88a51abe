using System;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Caching;

/// <summary>
/// A second-level token cache shared beyond one process (for example Redis, through the
/// <c>Peddler.Generators.Redis</c> package): instances of an app that use the same endpoint,
/// client id, secret and scope share one token, and one of them at a time asks the token endpoint.
/// </summary>
/// <remarks>
/// <para>
/// A client's in-process cache (single-flight, refresh ahead of expiry) stays in front of it: the
/// provider calls <see cref="GetOrRequestAsync"/> only where it would otherwise call the token
/// endpoint — a cache miss, a renewal, a token invalidated after a 401.
/// </para>
/// <para>
/// In a host, <c>AddPeddlerClient&lt;TClient&gt;</c> uses the <see cref="PeddlerSharedTokenCache"/>
/// registered as a keyed singleton under the client's name (<c>TClient.Descriptor.ClientName</c>),
/// if any. An implementation must never make things worse than no shared cache: when its store is
/// down or slow it calls <c>requestToken</c> itself within a bounded time.
/// </para>
/// </remarks>
public abstract class PeddlerSharedTokenCache
{
    /// <summary>
    /// Returns a token for <paramref name="context"/>: a shared one that is not
    /// <see cref="PeddlerTokenCacheContext.Replacing"/> and stays valid for longer than
    /// <see cref="PeddlerTokenCacheContext.RefreshMargin"/>; otherwise one obtained with
    /// <paramref name="requestToken"/> (which calls the token endpoint, retries included), shared
    /// with the other instances.
    /// </summary>
    /// <param name="context">Which token: endpoint, client id, scope and a key derived from them and the secret.</param>
    /// <param name="requestToken">Requests a new token from the token endpoint.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token to cache in process and hand to callers.</returns>
    /// <exception cref="PeddlerException">Propagated from <paramref name="requestToken"/>; the shared store's own failures are not thrown.</exception>
    public abstract Task<PeddlerAccessToken> GetOrRequestAsync(
        PeddlerTokenCacheContext context,
        Func<CancellationToken, Task<PeddlerAccessToken>> requestToken,
        CancellationToken cancellationToken);

    /// <summary>
    /// An API refused <paramref name="token"/> (401): removes it from the shared store if it is
    /// still there and tells the other instances to drop their copy. Never throws for store failures.
    /// </summary>
    /// <param name="context">Which token.</param>
    /// <param name="token">The refused token.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public abstract Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes a provider to invalidations made by other instances: <paramref name="tokenInvalidated"/>
    /// receives the <see cref="PeddlerAccessToken.Fingerprint"/> of each token refused elsewhere, for
    /// the client named <paramref name="clientName"/>. The default does not subscribe.
    /// </summary>
    /// <param name="clientName">The client's name (<see cref="PeddlerClientDescriptor.ClientName"/>).</param>
    /// <param name="tokenInvalidated">Drops the provider's cached token when its fingerprint matches.</param>
    /// <returns>Ends the subscription when disposed; <see langword="null"/> if not subscribed.</returns>
    public virtual IDisposable? Subscribe(string clientName, Action<string> tokenInvalidated) => null;

    /// <summary>
    /// Whether the shared store answered the last time this instance used it: <see langword="false"/>
    /// during an outage, while the instance requests its own tokens (health checks report it as
    /// Degraded). The default is <see langword="true"/>.
    /// </summary>
    public virtual bool IsAvailable => true;
}
