using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peddler;
using Peddler.Caching;
using Peddler.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes the instances of an app share a Peddler client's token through Redis.</summary>
public static class PeddlerRedisTokenCacheExtensions
{
    private const string TokenHttpClientPrefix = "Peddler.Token:";

    /// <summary>
    /// Shares the client's token with every instance that uses the same Redis, token endpoint,
    /// client id, secret and scope: instances that need a token at the same moment make one token
    /// request between them, renewals happen once per fleet, and a token refused with a 401 is
    /// dropped by every instance.
    /// </summary>
    /// <param name="builder">The builder <c>AddPeddlerClient&lt;TClient&gt;(…)</c> returns.</param>
    /// <param name="redisConfiguration">The StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The same builder.</returns>
    public static IHttpClientBuilder AddDistributedTokenCache(this IHttpClientBuilder builder, string redisConfiguration)
    {
        ArgumentException.ThrowIfNullOrEmpty(redisConfiguration);
        return builder.AddDistributedTokenCache(options => options.Configuration = redisConfiguration);
    }

    /// <summary>
    /// Shares the client's token with every instance that uses the same Redis, token endpoint,
    /// client id, secret and scope, with the settings <paramref name="configure"/> makes.
    /// </summary>
    /// <param name="builder">The builder <c>AddPeddlerClient&lt;TClient&gt;(…)</c> returns.</param>
    /// <param name="configure">Sets <see cref="PeddlerRedisTokenCacheOptions.Configuration"/> and optional settings.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Registers a <see cref="PeddlerSharedTokenCache"/> keyed by the client's name, which
    /// <c>AddPeddlerClient</c> passes to the client. Tokens are encrypted with a key derived from
    /// the client's secret before they reach the store. The options are validated when the host starts.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="builder"/> is not one that <c>AddPeddlerClient</c> returned.</exception>
    public static IHttpClientBuilder AddDistributedTokenCache(this IHttpClientBuilder builder, Action<PeddlerRedisTokenCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        if (!builder.Name.StartsWith(TokenHttpClientPrefix, StringComparison.Ordinal) || builder.Name.Length == TokenHttpClientPrefix.Length)
        {
            throw new ArgumentException(
                "AddDistributedTokenCache() extends the builder that services.AddPeddlerClient<TClient>(…) returns.",
                nameof(builder));
        }

        string clientName = builder.Name[TokenHttpClientPrefix.Length..];
        IServiceCollection services = builder.Services;
        services.AddOptions<PeddlerRedisTokenCacheOptions>(clientName)
            .Configure(configure)
            .Validate(static o => !string.IsNullOrWhiteSpace(o.Configuration), $"{clientName}: the distributed token cache needs a Redis configuration string (PeddlerRedisTokenCacheOptions.Configuration).")
            .Validate(
                static o => o.LockLease > TimeSpan.Zero && o.WaitTimeout >= TimeSpan.Zero && o.PollInterval > TimeSpan.Zero
                    && o.ConnectTimeout > TimeSpan.Zero && o.OperationTimeout > TimeSpan.Zero && o.RetryStoreAfter >= TimeSpan.Zero,
                $"{clientName}: the distributed token cache's durations must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<RedisConnections>();
        services.AddKeyedSingleton<PeddlerSharedTokenCache>(clientName, static (sp, key) => Create(sp, (string)key!));
        return builder;
    }

    private static RedisTokenCache Create(IServiceProvider services, string clientName)
    {
        PeddlerRedisTokenCacheOptions options = services.GetRequiredService<IOptionsMonitor<PeddlerRedisTokenCacheOptions>>().Get(clientName);
        RedisConnection connection = services.GetRequiredService<RedisConnections>().Get(options);
        IDistributedCache store = options.UseRegisteredDistributedCache
            ? services.GetRequiredService<IDistributedCache>()
            : services.GetRequiredService<RedisConnections>().StoreFor(connection);
        return new RedisTokenCache(
            connection,
            store,
            options,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger(RedisTokenCacheLog.CategoryPrefix + clientName),
            entriesInRedis: !options.UseRegisteredDistributedCache);
    }

    /// <summary>One connection (and one <see cref="RedisCache"/> on it) per Redis configuration in a container.</summary>
    internal sealed class RedisConnections : IAsyncDisposable, IDisposable
    {
        private readonly ConcurrentDictionary<string, RedisConnection> _connections = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<RedisConnection, RedisCache> _stores = new();

        public RedisConnection Get(PeddlerRedisTokenCacheOptions options) =>
            _connections.GetOrAdd(options.Configuration!, static (configuration, o) => new RedisConnection(configuration, o.ConnectTimeout, o.OperationTimeout), options);

        public IDistributedCache StoreFor(RedisConnection connection) =>
            _stores.GetOrAdd(connection, static c => new RedisCache(Options.Options.Create(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = async () => await c.ConnectAsync().ConfigureAwait(false)
                    ?? throw new InvalidOperationException("Redis is unavailable."),
            })));

        public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

        public async ValueTask DisposeAsync()
        {
            foreach (RedisCache store in _stores.Values)
            {
                store.Dispose();
            }

            foreach (RedisConnection connection in _connections.Values)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
