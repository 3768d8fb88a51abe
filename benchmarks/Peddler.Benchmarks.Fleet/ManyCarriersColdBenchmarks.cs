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
/// the call, read at its start and end (printed at the end, over the measured iterations). Ten warm-ups (5,000 carriers), so
/// that tiered compilation has promoted the hot paths (Redis client, embedded server, HTTP) as in a
/// host that has been running: with two, the shared cache's larger code path was still being
/// recompiled during the measured iterations, and the JIT's CPU was counted as the cache's.
/// </summary>
[InvocationCount(1)]
[IterationCount(Iterations)]
[WarmupCount(10)]
public class ManyCarriersColdBenchmarks
{
    private const int Carriers = 500;
    private const int Iterations = 10;
    private static readonly string[] s_carriers = Enumerable.Range(900_001, Carriers).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    private readonly List<double> _cpu = [];
    private PeddlerAuthorizationServer _server = null!;
    private CacheServer _cache = null!;
    private ServiceProvider _container = null!;
    private FleetTokens _client = null!;

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
    }

    [Benchmark]
    public async Task Carriers500Cold()
    {
        // Read here, not in the iteration setup: BenchmarkDotNet forces a full GC between the setup
        // and the call, and that GC's CPU is not the call's.
        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
        await Parallel.ForEachAsync(s_carriers, new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (carrier, ct) => await _client.GetCarrierTokenAsync(carrier, ct));
        _cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds);
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _container.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        // The measured iterations are the last ones (before them: the jitting iteration and the warm-ups).
        List<double> measured = [.. _cpu.Skip(Math.Max(0, _cpu.Count - Iterations)).Order()];
        Console.WriteLine($"// CPU per 500 cold carriers (SharedCache={SharedCache}): median {measured[measured.Count / 2]:F0} ms, min {measured[0]:F0} ms, max {measured[^1]:F0} ms over the {measured.Count} measured iterations ({_cpu.Count} in all)");
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cache.Dispose();
    }
}
