using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Medallion.Threading.Redis;
using Microsoft.Extensions.DependencyInjection;
using Peddler.Caching;
using Peddler.Redis;
using Peddler.Testing;
using StackExchange.Redis;

namespace Peddler.Benchmarks.Fleet;

/// <summary>
/// The shared cache's own costs against a local RESP server: an L2 hit (read, decrypt, checks) as a new
/// instance sees it, the entry key's derivation (once per instance and secret), and one uncontended lock acquire + release — the lock this package
/// uses (SET NX PX, owner-checked Lua release) against DistributedLock.Redis's RedisDistributedLock.
/// </summary>
[MemoryDiagnoser]
public class SharedCacheBenchmarks
{
    private static readonly Func<CancellationToken, Task<PeddlerAccessToken>> NeverCalled =
        _ => throw new InvalidOperationException("an L2 hit must not request a token");

    private CacheServer _cache = null!;
    private PeddlerAuthorizationServer _server = null!;
    private ServiceProvider _container = null!;
    private PeddlerSharedTokenCache _shared = null!;
    private PeddlerTokenCacheContext _context = null!;
    private ConnectionMultiplexer _redis = null!;
    private IDatabase _db = null!;
    private RedisDistributedLock _distributedLock = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _cache = new CacheServer();
        _server = new PeddlerAuthorizationServer().AddClient("bench-client", "fake-secret-for-benchmarks", "900001");
        _server.StartAsync().GetAwaiter().GetResult();

        // A shared entry written by one instance; the benchmark reads it through the cache, with a
        // context captured from the provider on its cold miss.
        var services = new ServiceCollection();
        services.AddPeddlerClient<FleetTokens>(o =>
        {
            o.ClientId = "bench-client";
            o.ClientSecret = "fake-secret-for-benchmarks";
            o.CarrierId = "900001";
            o.TokenEndpoint = _server.TokenEndpoint;
            o.BackgroundRefresh = false;
        });

        // The Redis cache registered under another name ("inner", same secret), and the client's
        // key given to a wrapper around it that records the context.
        services.Configure<PeddlerClientOptions>("inner", o => o.ClientSecret = "fake-secret-for-benchmarks");
        services.AddHttpClient("Peddler.Token:inner").AddDistributedTokenCache(o =>
        {
            o.Configuration = _cache.Configuration;
            o.KeyPrefix = "bench:" + Guid.NewGuid().ToString("N") + ":";
        });
        services.AddKeyedSingleton<PeddlerSharedTokenCache>(nameof(FleetTokens), (sp, _) => new Capture(sp.GetRequiredKeyedService<PeddlerSharedTokenCache>("inner")));
        _container = services.BuildServiceProvider();
        _shared = _container.GetRequiredKeyedService<PeddlerSharedTokenCache>("inner");
        ((RedisTokenCache)_shared).WhenConnectedAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        FleetTokens client = _container.GetRequiredService<FleetTokens>();
        client.GetTokenAsync().AsTask().GetAwaiter().GetResult();
        _context = Capture.Last ?? throw new InvalidOperationException("no context captured");

        _redis = ConnectionMultiplexer.Connect(_cache.Configuration);
        _db = _redis.GetDatabase();
        _distributedLock = new RedisDistributedLock("bench:distributedlock", _db);
    }

    [Benchmark(Description = "L2 hit: GetOrRequestAsync finds the shared token")]
    public Task<PeddlerAccessToken> SharedHit() => _shared.GetOrRequestAsync(_context, NeverCalled, CancellationToken.None);

    [Benchmark(Description = "Entry key: HKDF-SHA256 from the secret's master key (per carrier)")]
    public byte[] DeriveEntryKey() => TokenProtector.DeriveKey(_context);

    [Benchmark(Description = "Lock: SET NX PX + Lua release (this package)")]
    public async Task<bool> OwnLock()
    {
        string owner = Guid.NewGuid().ToString("N");
        bool taken = await _db.StringSetAsync("bench:ownlock", owner, TimeSpan.FromSeconds(10), When.NotExists);
        await _db.ScriptEvaluateAsync(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
            ["bench:ownlock"],
            [owner]);
        return taken;
    }

    [Benchmark(Description = "Lock: DistributedLock.Redis TryAcquire + release")]
    public async Task<bool> DistributedLockRedis()
    {
        await using RedisDistributedLockHandle? handle = await _distributedLock.TryAcquireAsync();
        return handle is not null;
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _redis.Dispose();
        _container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cache.Dispose();
    }

    /// <summary>Remembers the context the provider passes, so the benchmark can replay it.</summary>
    private sealed class Capture(PeddlerSharedTokenCache inner) : PeddlerSharedTokenCache
    {
        public static PeddlerTokenCacheContext? Last { get; private set; }

        public override Task<PeddlerAccessToken> GetOrRequestAsync(PeddlerTokenCacheContext context, Func<CancellationToken, Task<PeddlerAccessToken>> requestToken, CancellationToken cancellationToken)
        {
            Last = context;
            return inner.GetOrRequestAsync(context, requestToken, cancellationToken);
        }

        public override Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken) =>
            inner.InvalidateAsync(context, token, cancellationToken);
    }
}
