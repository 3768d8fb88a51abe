using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Peddler.Benchmarks.Support;
using Peddler.Testing;

namespace Peddler.Benchmarks;

/// <summary>
/// Group 6, many carriers: 10,000 carriers of one <c>{CarrierId}</c> client, each with its cached
/// token (warmed over loopback in setup); a cached token for a random carrier is one lock-free read
/// of the carrier's slot in the client's carrier table (<c>GetCarrierTokenAsync(carrierId)</c>), or a
/// table lookup plus the carrier's own cache hit (<c>ForCarrier(carrierId).GetTokenAsync()</c>).
/// The setup also prints the managed heap retained per cached carrier.
/// </summary>
[MemoryDiagnoser]
public class CarrierBenchmarks
{
    private const int Carriers = 10_000;

    private PeddlerAuthorizationServer _server = null!;
    private HttpClient _http = null!;
    private PeddlerTokenProvider _provider = null!;
    private string[] _ids = null!;
    private string[] _copies = null!;
    private int[] _order = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        _ids = Enumerable.Range(910_000, Carriers).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        _server.AddCarriers(LocalServer.ClientId, _ids);
        _http = new HttpClient(LocalServer.Handler());
        _provider = await WarmAsync();

        // A random order fixed by a seed: each call looks up another carrier.
        var random = new Random(7);
        _order = Enumerable.Range(0, 1 << 16).Select(_ => random.Next(Carriers)).ToArray();
        _copies = _ids.Select(id => new string(id.AsSpan())).ToArray();

        // Bytes per cached carrier: the heap a second warm provider retains, over its carriers.
        long before = GC.GetTotalMemory(forceFullCollection: true);
        PeddlerTokenProvider second = await WarmAsync();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// {Carriers} cached carriers retain {after - before} bytes: {(after - before) / (double)Carriers:F0} bytes per carrier");
        GC.KeepAlive(second);
    }

    private async Task<PeddlerTokenProvider> WarmAsync()
    {
        PeddlerClientOptions options = LocalServer.Options(_server);
        var provider = new PeddlerTokenProvider(_http, options, CarrierBenchTokens.Descriptor);
        foreach (string[] batch in _ids.Chunk(500))
        {
            await Task.WhenAll(batch.Select(id => provider.ForCarrier(id).GetTokenAsync().AsTask()));
        }

        return provider;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // Every measured call must have been a hit: one token request per carrier and provider, ever.
        if (_server.TokenRequestCount != 2 * Carriers)
        {
            throw new InvalidOperationException($"Expected {2 * Carriers} token requests; the server saw {_server.TokenRequestCount}.");
        }

        _http.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A cached token for a random one of 10,000 warm carriers: <c>GetCarrierTokenAsync(carrierId)</c>, one slot of the carrier table.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<PeddlerAccessToken> RandomCarrierCachedToken() =>
        _provider.GetCarrierTokenAsync(_ids[_order[_next++ & ((1 << 16) - 1)]]);

    /// <summary>The same with the id in a string of the caller's own (as parsed from a request), not the instance the carrier was added with.</summary>
    [Benchmark]
    public ValueTask<PeddlerAccessToken> RandomCarrierCachedTokenOwnIdString() =>
        _provider.GetCarrierTokenAsync(_copies[_order[_next++ & ((1 << 16) - 1)]]);

    /// <summary>The same through the carrier's client: <c>ForCarrier(carrierId).GetTokenAsync()</c>.</summary>
    [Benchmark]
    public ValueTask<PeddlerAccessToken> RandomCarrierCachedTokenViaForCarrier() =>
        _provider.ForCarrier(_ids[_order[_next++ & ((1 << 16) - 1)]]).GetTokenAsync();
}
