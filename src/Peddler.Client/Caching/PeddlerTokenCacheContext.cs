using System;
using System.Security.Cryptography;
using System.Text;

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
    }

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
    /// A key for the shared store: 64 hex digits of PBKDF2-SHA256 (100,000 iterations) of the client
    /// secret, salted with the endpoint, client id and scope. It differs for every endpoint, client,
    /// scope and secret (a rotated secret gets new entries), and does not reveal the secret.
    /// </summary>
    public string CacheKey { get; }

    /// <summary>Derives <see cref="CacheKey"/>; slow on purpose (computed once per settings).</summary>
    internal static string DeriveKey(Uri tokenEndpoint, string clientId, string scope, string clientSecret)
    {
        byte[] salt = Encoding.UTF8.GetBytes($"peddler-token-cache-v1\n{tokenEndpoint.AbsoluteUri}\n{clientId}\n{scope}");
        byte[] key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(clientSecret), salt, 100_000, HashAlgorithmName.SHA256, 32);
        return Convert.ToHexString(key).ToLowerInvariant();
    }
}
