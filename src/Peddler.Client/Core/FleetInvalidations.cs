using System;
using System.Threading;
using Peddler.Caching;

namespace Peddler.Core;

/// <summary>
/// A provider's subscription to the fleet cache's invalidations (tokens other instances saw
/// refused). The fleet cache holds the subscription, and it holds the provider only weakly: a
/// provider nobody uses any more is collected, and its subscription is disposed at the next
/// invalidation that finds it gone, so providers made and dropped (per test, per tenant) do not
/// pile up in a long-lived fleet cache.
/// </summary>
internal sealed class FleetInvalidations
{
    private readonly WeakReference<PeddlerTokenProvider> _provider;
    private IDisposable? _subscription;

    private FleetInvalidations(PeddlerTokenProvider provider) => _provider = new WeakReference<PeddlerTokenProvider>(provider);

    /// <summary>Subscribes <paramref name="provider"/> to <paramref name="cache"/>'s invalidations of <paramref name="clientName"/>, if there is a cache.</summary>
    public static void Subscribe(PeddlerTokenProvider provider, PeddlerSharedTokenCache? cache, string clientName)
    {
        if (cache is null)
        {
            return;
        }

        var invalidations = new FleetInvalidations(provider);
        IDisposable? subscription = cache.Subscribe(clientName, invalidations.Received);
        if (Interlocked.CompareExchange(ref invalidations._subscription, subscription, null) is not null)
        {
            // Received already found the provider gone (it cannot be: the caller holds it), or disposed it.
            subscription?.Dispose();
        }
    }

    private void Received(string fingerprint)
    {
        if (_provider.TryGetTarget(out PeddlerTokenProvider? provider))
        {
            provider.DropFingerprint(fingerprint);
            return;
        }

        Interlocked.Exchange(ref _subscription, Disposed.Instance)?.Dispose();
    }

    private sealed class Disposed : IDisposable
    {
        public static readonly Disposed Instance = new();

        public void Dispose()
        {
        }
    }
}
