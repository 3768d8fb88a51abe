using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Peddler.Caching;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>What the tests of the fleet cache's parts build them from: a real context, options, a log.</summary>
internal static class Parts
{
    /// <summary>
    /// The context a client passes to its shared cache on a cold miss, taken from a real client of
    /// <paramref name="fleet"/>'s token server (its key derivation included).
    /// </summary>
    public static async Task<PeddlerTokenCacheContext> CaptureContextAsync(Fleet fleet)
    {
        var capture = new Capture();
        var services = new ServiceCollection();
        services.AddPeddlerClient<FleetTokens>(options =>
        {
            options.ClientId = Fleet.ClientId;
            options.ClientSecret = Fleet.ClientSecret;
            options.CarrierId = Fleet.CarrierId;
            options.TokenEndpoint = fleet.Server.TokenEndpoint;
            options.BackgroundRefresh = false;
        });
        services.AddKeyedSingleton<PeddlerSharedTokenCache>(nameof(FleetTokens), capture);
        await using ServiceProvider provider = services.BuildServiceProvider();
        await provider.GetRequiredService<FleetTokens>().GetTokenAsync();
        return capture.Last ?? throw new InvalidOperationException("The client did not ask its shared cache.");
    }

    public static PeddlerRedisTokenCacheOptions Options(CacheServer cache, Action<PeddlerRedisTokenCacheOptions>? configure = null)
    {
        var options = new PeddlerRedisTokenCacheOptions
        {
            Configuration = cache.Configuration,
            KeyPrefix = "peddler-test:" + Guid.NewGuid().ToString("N")[..12] + ":",

            // As in Fleet: a busy 2-core machine may hold a reply past the default 1 s.
            OperationTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public static RedisConnection Connect(PeddlerRedisTokenCacheOptions options) =>
        new(options.Configuration!, options.ConnectTimeout, options.OperationTimeout);

    public static ILogger Logger(LogSink logs) => logs.CreateLogger(RedisTokenCacheLog.CategoryPrefix + nameof(FleetTokens));

    /// <summary>Waits for <paramref name="condition"/> (checked every 20 ms); fails after 30 s.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }

    /// <summary>Records the context and requests the token itself, as a cache that holds nothing.</summary>
    private sealed class Capture : PeddlerSharedTokenCache
    {
        public PeddlerTokenCacheContext? Last { get; private set; }

        public override Task<PeddlerAccessToken> GetOrRequestAsync(PeddlerTokenCacheContext context, Func<CancellationToken, Task<PeddlerAccessToken>> requestToken, CancellationToken cancellationToken)
        {
            Last = context;
            return requestToken(cancellationToken);
        }

        public override Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
