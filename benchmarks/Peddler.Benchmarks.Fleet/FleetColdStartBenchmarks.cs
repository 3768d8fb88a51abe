using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Peddler.Caching;
using Peddler.Redis;
using Peddler.Testing;

namespace Peddler.Benchmarks.Fleet;

[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
public sealed partial class FleetTokens;

/// <summary>
/// A fleet of 32 instances starts at once and every instance asks for its first token. Instances are
/// isolated service containers in this process (each its own client, in-process cache, token
/// HttpClient and Redis connection), all started and connected before the measured call. Measured:
/// the time until every instance has a token; the token requests per cold start are printed (and
/// are 32 without the shared cache, 1 with it).
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
[IterationCount(15)]
[WarmupCount(2)]
public class FleetColdStartBenchmarks
{
    private const int Instances = 32;
    private readonly List<int> _requests = [];
    private PeddlerAuthorizationServer _server = null!;
    private CacheServer _cache = null!;
    private List<ServiceProvider> _containers = [];
    private FleetTokens[] _clients = [];
    private int _before;

    [Params(false, true)]
    public bool SharedCache { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _cache = new CacheServer();
        _server = new PeddlerAuthorizationServer().AddClient("bench-client", "fake-secret-for-benchmarks", "900001");
        _server.StartAsync().GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void IterationSetup()
    {
        string prefix = "bench:" + Guid.NewGuid().ToString("N") + ":";
        _containers = [];
        for (int i = 0; i < Instances; i++)
        {
            var services = new ServiceCollection();
            IHttpClientBuilder client = services.AddPeddlerClient<FleetTokens>(o =>
            {
                o.ClientId = "bench-client";
                o.ClientSecret = "fake-secret-for-benchmarks";
                o.CarrierId = "900001";
                o.TokenEndpoint = _server.TokenEndpoint;
                o.BackgroundRefresh = false;
            });
            if (SharedCache)
            {
                client.AddDistributedTokenCache(o =>
                {
                    o.Configuration = _cache.Configuration;
                    o.KeyPrefix = prefix;

                    // 32 instances on 2 shared cores: their first calls derive 64 PBKDF2 keys at once
                    // and starve this process's thread pool for seconds, which a real fleet (a CPU per
                    // instance) does not; with the default 1 s, Redis calls would time out and
                    // instances fall back to their own requests.
                    o.OperationTimeout = TimeSpan.FromSeconds(10);
                });
            }

            _containers.Add(services.BuildServiceProvider());
        }

        _clients = _containers.Select(c => c.GetRequiredService<FleetTokens>()).ToArray();
        foreach (ServiceProvider container in _containers)
        {
            if (container.GetKeyedService<PeddlerSharedTokenCache>(nameof(FleetTokens)) is RedisTokenCache cache)
            {
                cache.WhenConnectedAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            }
        }

        _before = _server.TokenRequestCount;
    }

    [Benchmark]
    public Task ColdStart32() => Task.WhenAll(_clients.Select(c => Task.Run(() => c.GetTokenAsync().AsTask())));

    [IterationCleanup]
    public void IterationCleanup()
    {
        _requests.Add(_server.TokenRequestCount - _before);
        foreach (ServiceProvider container in _containers)
        {
            container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Console.WriteLine($"// token requests per cold start of {Instances} (SharedCache={SharedCache}): min {_requests.Min()}, max {_requests.Max()}, mean {_requests.Average():F2} over {_requests.Count} runs");
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cache.Dispose();
    }
}
