using System;

namespace Peddler.Caching;

/// <summary>Which token a <see cref="PeddlerSharedTokenCache"/> is asked for. Never holds the client secret.</summary>
public sealed class PeddlerTokenCacheContext
{
    internal PeddlerTokenCacheContext(string clientName, PeddlerRequestSettings settings, PeddlerAccessToken? replacing, string trigger)
    {
        ClientName = clientName;
        TokenEndpoint = settings.TokenEndpoint;
        ClientId = settings.ClientId;
        Scope = settings.Scope;
        RefreshMargin = settings.RefreshMargin;
        Replacing = replacing;
        Trigger = trigger;
        CacheKey = settings.SharedCacheKey;
        _keys = settings.FleetKeys;
    }

    // The key material of the same settings generation as CacheKey (never the secret itself).
    private readonly FleetKeyMaterial _keys;

    /// <summary>The client's name (<see cref="PeddlerClientDescriptor.ClientName"/>).</summary>
    public string ClientName { get; }

    /// <summary>The token endpoint the token comes from.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The OAuth client id.</summary>
    public string ClientId { get; }

    /// <summary>The requested scope, carrier id included.</summary>
    public string Scope { get; }

    /// <summary>How long before expiry the client stops using a token; a shared token must outlive it.</summary>
    public TimeSpan RefreshMargin { get; }

    /// <summary>The token being renewed or refused, which a shared cache must not hand back; <see langword="null"/> on a cold miss.</summary>
    public PeddlerAccessToken? Replacing { get; }

    /// <summary>Why the provider needs a token: <c>cache_miss</c>, <c>background_refresh</c>, …</summary>
    public string Trigger { get; }

    /// <summary>
    /// A key for the shared store: 64 hex digits of HMAC-SHA256 of the scope under a master key
    /// derived from the client secret with PBKDF2-SHA256 (100,000 iterations, salted with the
    /// endpoint and client id; one derivation per secret per process). It differs for every
    /// endpoint, client, scope and secret (a rotated secret gets new entries), and does not reveal
    /// the secret.
    /// </summary>
    public string CacheKey { get; }

    /// <summary>
    /// Fills <paramref name="destination"/> with key material for a shared cache's own use (for
    /// example the key that encrypts the entry stored under <see cref="CacheKey"/>), derived with
    /// HKDF-SHA256 from the same master key and settings generation as <see cref="CacheKey"/>: an
    /// entry is never sealed with one secret's key and stored under another's. Cheap (one HMAC);
    /// the same inputs always give the same bytes.
    /// </summary>
    /// <param name="purpose">What the key is for, e.g. <c>"entry-encryption"</c>: different purposes give independent keys.</param>
    /// <param name="destination">Receives the key; 1 to 8,160 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> is empty, or <paramref name="destination"/> is empty or longer than 8,160 bytes.</exception>
    public void DeriveKey(string purpose, Span<byte> destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        if (destination.IsEmpty || destination.Length > 255 * 32)
        {
            throw new ArgumentException("The key must be 1 to 8,160 bytes long.", nameof(destination));
        }

        _keys.DeriveKey(CacheKey, purpose, destination);
    }
}
