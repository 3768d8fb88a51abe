using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Peddler.Internal;

namespace Peddler.Caching;

/// <summary>
/// The key material a shared token cache derives from one client's secret: one slow derivation per
/// token endpoint, client id and secret in a process (PBKDF2-HMAC-SHA256, 100,000 iterations), and
/// from it, cheaply (HMAC-SHA256 / HKDF-Expand), a cache key per scope (so per carrier) and any key
/// the shared cache needs for an entry (the key that seals it).
/// </summary>
/// <remarks>
/// <para>
/// Why PBKDF2: it is in the base library on every target (no native dependency, NativeAOT-safe,
/// FIPS-approved); Argon2 or scrypt would need a third-party native package. The client secret is a
/// server-issued random string, so stretching is defence in depth against a weak one: what keeps
/// the cost bounded is that it is paid once per secret per process (about 25-90 ms on the project's
/// 2-core machine), not per carrier.
/// </para>
/// <para>
/// The master key's salt holds the endpoint and client id, so a precomputed table is worth nothing
/// across clients. Keys of the 0.1.0 layout (PBKDF2 per scope) are never produced again: entries a
/// 0.1.0 fleet wrote are not found under the new keys and expire on their own.
/// </para>
/// </remarks>
internal sealed class FleetKeyMaterial
{
    /// <summary>The iteration count of the one slow derivation.</summary>
    internal const int Iterations = 100_000;

    private const string Label = "peddler-token-cache-v2";

    // Master keys of the secrets in use, by a hash of (endpoint, client id, secret) so that the
    // cache never holds a secret. 64 secrets cover every rotation a process is likely to see.
    private static readonly LruCache<string, FleetKeyMaterial> s_keys = new(64, StringComparer.Ordinal);
    private static long s_derivations;

    private readonly Lazy<byte[]> _master;

    private FleetKeyMaterial(Uri tokenEndpoint, string clientId, string clientSecret)
    {
        _master = new Lazy<byte[]>(
            () => DeriveMaster(tokenEndpoint, clientId, clientSecret),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>How many slow derivations this process has made (for tests and benchmarks).</summary>
    internal static long Derivations => Interlocked.Read(ref s_derivations);

    /// <summary>The key material of a client secret: shared by every settings generation and carrier with the same endpoint, client id and secret.</summary>
    public static FleetKeyMaterial For(Uri tokenEndpoint, string clientId, string clientSecret)
    {
        string id = Identity(tokenEndpoint, clientId, clientSecret);
        return s_keys.GetOrAdd(id, (tokenEndpoint, clientId, clientSecret), static (_, s) => new FleetKeyMaterial(s.tokenEndpoint, s.clientId, s.clientSecret));
    }

    /// <summary>Starts the slow derivation on the thread pool, so that the first token request does not wait for it.</summary>
    public void Prepare()
    {
        if (!_master.IsValueCreated)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static keys => _ = keys._master.Value, this, preferLocal: false);
        }
    }

    /// <summary>The cache key of <paramref name="scope"/>: 64 hex digits of HMAC-SHA256 of the scope under the master key.</summary>
    public string CacheKey(string scope)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_master.Value, Encoding.UTF8.GetBytes(Label + "\ncache-key\n" + scope), mac);
        return Convert.ToHexString(mac).ToLowerInvariant();
    }

    /// <summary>Fills <paramref name="destination"/> with key material for <paramref name="purpose"/> and <paramref name="cacheKey"/> (HKDF-Expand, SHA-256).</summary>
    public void DeriveKey(string cacheKey, string purpose, Span<byte> destination) =>
        HKDF.Expand(HashAlgorithmName.SHA256, _master.Value, destination, Encoding.UTF8.GetBytes(Label + "\n" + purpose + "\n" + cacheKey));

    private static byte[] DeriveMaster(Uri tokenEndpoint, string clientId, string clientSecret)
    {
        Interlocked.Increment(ref s_derivations);
        byte[] salt = Encoding.UTF8.GetBytes($"{Label}\n{tokenEndpoint.AbsoluteUri}\n{clientId}");
        return Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(clientSecret), salt, Iterations, HashAlgorithmName.SHA256, 32);
    }

    private static string Identity(Uri tokenEndpoint, string clientId, string clientSecret)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{tokenEndpoint.AbsoluteUri}\n{clientId}\n{clientSecret}"), hash);
        return Convert.ToHexString(hash);
    }
}
