using System;
using System.Collections.Generic;
using Peddler.Caching;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// The shared-cache key material: one slow derivation per endpoint, client id and secret, and from
/// it cheap, distinct keys per carrier, all from one settings generation.
/// </summary>
public class FleetKeyTests
{
    private static PeddlerRequestSettings Settings(string secret, string? carrier = null, string clientId = "fleet-key-client") =>
        PeddlerRequestSettings.From(
            new PeddlerClientOptions { ClientId = clientId, ClientSecret = secret, CarrierId = carrier, TokenEndpoint = new Uri("http://127.0.0.1:1/oauth/token") },
            ConfiguredCarrierTokens.Descriptor);

    [Fact]
    public void Every_carrier_and_every_generation_of_one_secret_share_one_master_key_and_get_distinct_cache_keys()
    {
        string secret = "fake-secret-" + Guid.NewGuid().ToString("N");
        PeddlerRequestSettings parent = Settings(secret);
        long before = FleetKeyMaterial.Derivations;

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 500; i++)
        {
            PeddlerRequestSettings carrier = parent.WithCarrier((900_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Same(parent.FleetKeys, carrier.FleetKeys);
            Assert.True(keys.Add(carrier.SharedCacheKey));
            Assert.Matches("^[0-9a-f]{64}$", carrier.SharedCacheKey);
        }

        // A new generation of the same secret (e.g. a timing option changed) derives nothing again.
        Assert.Same(parent.FleetKeys, Settings(secret).FleetKeys);

        // Other tests derive in parallel: this one's 500 carriers may add at most its own one.
        Assert.InRange(FleetKeyMaterial.Derivations - before, 1, 1 + 64);
        Assert.Equal(Settings(secret, "900001").SharedCacheKey, parent.WithCarrier("900001").SharedCacheKey);
    }

    [Fact]
    public void Another_secret_client_or_endpoint_gives_other_keys_and_keys_never_show_the_secret()
    {
        string secret = "fake-secret-" + Guid.NewGuid().ToString("N");
        string key = Settings(secret, "900001").SharedCacheKey;

        Assert.NotEqual(key, Settings(secret + "-rotated", "900001").SharedCacheKey);
        Assert.NotEqual(key, Settings(secret, "900001", clientId: "another-client").SharedCacheKey);
        Assert.NotEqual(key, Settings(secret, "900002").SharedCacheKey);
        Assert.DoesNotContain(secret, key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_context_derives_entry_keys_from_its_own_generation_per_purpose_and_checks_its_arguments()
    {
        string secret = "fake-secret-" + Guid.NewGuid().ToString("N");
        var old = new PeddlerTokenCacheContext("c", Settings(secret, "900001"), null, "cache_miss");
        var same = new PeddlerTokenCacheContext("c", Settings(secret, "900001"), null, "cache_miss");
        var rotated = new PeddlerTokenCacheContext("c", Settings(secret + "-rotated", "900001"), null, "cache_miss");

        byte[] a = new byte[32], b = new byte[32], c = new byte[32], d = new byte[32];
        old.DeriveKey("entry-encryption", a);
        same.DeriveKey("entry-encryption", b);
        rotated.DeriveKey("entry-encryption", c);
        old.DeriveKey("another-purpose", d);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        Assert.NotEqual(new byte[32], a);
        Assert.Throws<ArgumentException>(() => old.DeriveKey("", new byte[32]));
        Assert.Throws<ArgumentException>(() => old.DeriveKey("p", Span<byte>.Empty));
        Assert.Throws<ArgumentException>(() => old.DeriveKey("p", new byte[(255 * 32) + 1]));
    }

    [Fact]
    public void The_LRU_keeps_its_most_recent_entries_and_evicts_only_the_least_recently_used()
    {
        var lru = new Peddler.Internal.LruCache<int, string>(3);
        int created = 0;
        string Get(int key) => lru.GetOrAdd(key, 0, (k, _) => { created++; return "v" + k; });

        Get(1);
        Get(2);
        Get(3);
        Get(1);      // 1 is now the most recent: 2 is the least recently used
        Get(4);      // evicts 2 only

        Assert.Equal(3, lru.Count);
        Assert.True(lru.TryGet(1, out _));
        Assert.True(lru.TryGet(3, out _));
        Assert.True(lru.TryGet(4, out _));
        Assert.False(lru.TryGet(2, out _));
        Assert.Equal(4, created);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Peddler.Internal.LruCache<int, int>(0));
    }
}
