using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Peddler.Caching;
using Peddler.Redis;
using Peddler.Testing;

namespace Peddler.Benchmarks.Fleet;

/// <summary>
/// One host asks for 500 carriers cold, 50 at a time, with and without the fleet cache (same
/// process, same run). The host is started (and its Redis connected, its secret's one key
/// derivation done) before the measured call, as in a host that has been running; every iteration
/// uses fresh carriers' keys. Measured: wall time (BenchmarkDotNet) and this process's CPU time for
/// the call (printed at the end).
/// </summary>
[InvocationCount(1)]
[IterationCount(10)]
[WarmupCount(2)]
public class ManyCarriersColdBenchmarks
{
    private const int Carriers = 500;
    private static readonly string[] s_carriers = Enumerable.Range(900_001, Carriers).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    private readonly List<double> _cpu = [];
    private PeddlerAuthorizationServer _server = null!;
    private CacheServer _cache = null!;
    private ServiceProvider _container = null!;
    private FleetTokens _client = null!;
    private TimeSpan _cpuBefore;

    [Params(false, true)]
    public bool SharedCache { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _cache = new CacheServer();
        _server = new PeddlerAuthorizationServer().AddClient("bench-client", "fake-secret-for-benchmarks", null);
        _server.AddCarriers("bench-client", s_carriers);
        _server.StartAsync().GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void IterationSetup()
    {
        var services = new ServiceCollection();
        IHttpClientBuilder client = services.AddPeddlerClient<FleetTokens>(o =>
        {
            o.ClientId = "bench-client";
            o.ClientSecret = "fake-secret-for-benchmarks";
            o.TokenEndpoint = _server.TokenEndpoint;
            o.BackgroundRefresh = false;
        });
        if (SharedCache)
        {
            string prefix = "bench:" + Guid.NewGuid().ToString("N") + ":";
            client.AddDistributedTokenCache(o =>
            {
                o.Configuration = _cache.Configuration;
                o.KeyPrefix = prefix;
            });
        }

        _container = services.BuildServiceProvider();
        _client = _container.GetRequiredService<FleetTokens>();
        if (_container.GetKeyedService<PeddlerSharedTokenCache>(nameof(FleetTokens)) is RedisTokenCache cache)
        {
            cache.WhenConnectedAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }

        _cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    }

    [Benchmark]
    public Task Carriers500Cold() =>
        Parallel.ForEachAsync(s_carriers, new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (carrier, ct) => await _client.GetCarrierTokenAsync(carrier, ct));

    [IterationCleanup]
    public void IterationCleanup()
    {
        _cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - _cpuBefore).TotalMilliseconds);
        _container.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _cpu.Sort();
        Console.WriteLine($"// CPU per 500 cold carriers (SharedCache={SharedCache}): median {_cpu[_cpu.Count / 2]:F0} ms, min {_cpu[0]:F0} ms, max {_cpu[^1]:F0} ms over {_cpu.Count} iterations (warm-ups included)");
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cache.Dispose();
    }
}
