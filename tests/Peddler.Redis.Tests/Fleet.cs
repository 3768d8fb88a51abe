using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Peddler.Testing;

namespace Peddler.Redis.Tests;

[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
public sealed partial class FleetTokens;

/// <summary>
/// A fleet of app instances in one test process: each instance is its own service container (its
/// own client, in-process cache, Redis connection), as in separate processes.
/// </summary>
internal sealed class Fleet : IAsyncDisposable
{
    public const string ClientId = "fleet-client";
    public const string ClientSecret = "fake-secret-for-tests-7f3a";
    public const string CarrierId = "900001";

    private readonly List<ServiceProvider> _instances = [];

    private Fleet(PeddlerAuthorizationServer server, CacheServer cache)
    {
        Server = server;
        Cache = cache;
    }

    public PeddlerAuthorizationServer Server { get; }

    public CacheServer Cache { get; }

    /// <summary>A key prefix of this fleet's own, so that fleets share a Redis without seeing each other.</summary>
    public string KeyPrefix { get; } = "peddler-test:" + Guid.NewGuid().ToString("N")[..12] + ":";

    public LogSink Logs { get; } = new();

    public static async Task<Fleet> StartAsync(CacheServer cache, TimeProvider? serverTime = null)
    {
        var server = new PeddlerAuthorizationServer(new PeddlerAuthorizationServerOptions { TimeProvider = serverTime ?? TimeProvider.System })
            .AddClient(ClientId, ClientSecret, CarrierId);
        await server.StartAsync();
        return new Fleet(server, cache);
    }

    /// <summary>Starts one more instance and returns its client.</summary>
    public FleetTokens AddInstance(
        Action<PeddlerRedisTokenCacheOptions>? configure = null,
        TimeProvider? timeProvider = null,
        Action<PeddlerClientOptions>? client = null,
        bool shared = true,
        Action<IServiceCollection>? register = null)
    {
        var services = new ServiceCollection();
        register?.Invoke(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        IHttpClientBuilder builder = services.AddPeddlerClient<FleetTokens>(options =>
        {
            options.ClientId = ClientId;
            options.ClientSecret = ClientSecret;
            options.CarrierId = CarrierId;
            options.TokenEndpoint = Server.TokenEndpoint;
            options.BackgroundRefresh = false;
            client?.Invoke(options);
        });
        if (shared)
        {
            builder.AddDistributedTokenCache(options =>
            {
                options.Configuration = Cache.Configuration;
                options.KeyPrefix = KeyPrefix;

                // Instances in one process derive their keys (PBKDF2) at the same moment; on a busy
                // 2-core machine that can hold the thread pool past the default 1 s, and a timed-out
                // Redis call falls back to a request of its own (correct, but not what sharing tests
                // assert). Tests of timeouts set their own (FailureTests).
                options.OperationTimeout = TimeSpan.FromSeconds(10);
                configure?.Invoke(options);
            });
        }

        ServiceProvider provider = services.BuildServiceProvider();
        lock (_instances)
        {
            _instances.Add(provider);
        }

        return provider.GetRequiredService<FleetTokens>();
    }

    /// <summary>The token provider of the <paramref name="instance"/>-th instance (to hand it new options).</summary>
    public PeddlerTokenProvider TokenProvider(int instance)
    {
        lock (_instances)
        {
            return _instances[instance].GetRequiredKeyedService<PeddlerTokenProvider>(nameof(FleetTokens));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ServiceProvider instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}

/// <summary>Every log entry of a fleet's instances.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string EventName, string Message)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string EventName, string Message)> Entries => _entries.ToArray();

    public int Count(string eventName) => _entries.Count(e => e.EventName == eventName);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._entries.Enqueue((category, logLevel, eventId.Name ?? string.Empty, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
