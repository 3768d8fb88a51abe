using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Identity.Client;
using Peddler.Benchmarks.Support;
using Peddler.Testing;

namespace Peddler.Benchmarks;

/// <summary>
/// Group 3, stampede: 10,000 callers ask a client with a cold cache for a token at once. The
/// token endpoint's answer is held by a gate in the HTTP pipeline until every caller has called,
/// so each caller really finds the cache cold; then the gate opens and the operation ends when
/// all 10,000 have their token. The number of token requests per operation goes to the
/// <c>TokenRequests/op</c> column. A new client (ours) or app (MSAL) per operation: a cold cache.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SlowOperationConfig))]
public class StampedeBenchmarks
{
    /// <summary>Concurrent callers per operation.</summary>
    public const int Callers = 10_000;

    // Both pipelines get the same cap on connections: 10,000 parallel loopback connections would
    // exhaust the file descriptors of this machine (ulimit -n 20000) before measuring anything.
    private const int MaxConnections = 64;

    private readonly Dictionary<string, (long Operations, long Requests, int Min, int Max)> _stats = new();

    private PeddlerAuthorizationServer _server = null!;
    private GateHandler _peddlerGate = null!;
    private HttpClient _peddlerHttp = null!;
    private PeddlerClientOptions _options = null!;
    private GateHandler _msalGate = null!;
    private MsalLoopback _msalLoopback = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        _peddlerGate = new GateHandler(LocalServer.Handler(MaxConnections));
        _peddlerHttp = new HttpClient(_peddlerGate);
        _options = LocalServer.Options(_server);
        _msalGate = new GateHandler(LocalServer.Handler(MaxConnections));
        _msalLoopback = new MsalLoopback(_server, _msalGate);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (KeyValuePair<string, (long Operations, long Requests, int Min, int Max)> stat in _stats)
        {
            TokenRequestLog.Write(nameof(StampedeBenchmarks) + "." + stat.Key, stat.Value.Operations, stat.Value.Requests, stat.Value.Min, stat.Value.Max);
        }

        _msalLoopback.Dispose();
        _peddlerHttp.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>Ours: every caller waits on the one shared request.</summary>
    [Benchmark(Baseline = true)]
    public async Task PeddlerClient()
    {
        var client = new BenchTokens(_peddlerHttp, _options);
        int before = _peddlerGate.Close();
        var callers = new Task<PeddlerAccessToken>[Callers];
        Parallel.For(0, Callers, i => callers[i] = client.GetTokenAsync().AsTask());
        _peddlerGate.Open();
        PeddlerAccessToken[] tokens = await Task.WhenAll(callers);

        for (int i = 1; i < tokens.Length; i++)
        {
            if (!ReferenceEquals(tokens[i], tokens[0]))
            {
                throw new InvalidOperationException("The callers of one stampede got different tokens.");
            }
        }

        Record(nameof(PeddlerClient), _peddlerGate.RequestCount - before);
    }

    /// <summary>MSAL.NET 4.92: <c>AcquireTokenForClient(...).ExecuteAsync()</c> from every caller.</summary>
    [Benchmark]
    public async Task Msal()
    {
        IConfidentialClientApplication app = _msalLoopback.CreateApp();
        int before = _msalGate.Close();
        var callers = new Task<AuthenticationResult>[Callers];
        Parallel.For(0, Callers, i => callers[i] = app.AcquireTokenForClient(MsalLoopback.Scopes).ExecuteAsync());
        _msalGate.Open();
        AuthenticationResult[] results = await Task.WhenAll(callers);
        if (results[^1].AccessToken.Length == 0)
        {
            throw new InvalidOperationException("MSAL returned an empty token.");
        }

        Record(nameof(Msal), _msalGate.RequestCount - before);
    }

    private void Record(string benchmark, int requests)
    {
        if (benchmark == nameof(PeddlerClient) && requests != 1)
        {
            // Not a timing assertion: single-flight is a correctness property.
            throw new InvalidOperationException($"A stampede of {Callers} callers made {requests} token requests instead of 1.");
        }

        (long operations, long total, int min, int max) = _stats.TryGetValue(benchmark, out var s) ? s : (0, 0, int.MaxValue, 0);
        _stats[benchmark] = (operations + 1, total + requests, Math.Min(min, requests), Math.Max(max, requests));
    }

    /// <summary>Holds every request until <see cref="Open"/>; counts requests.</summary>
    private sealed class GateHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _requestCount;

        public int RequestCount => Volatile.Read(ref _requestCount);

        /// <summary>Closes the gate; returns the request count so far.</summary>
        public int Close()
        {
            Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return RequestCount;
        }

        public void Open() => Volatile.Read(ref _gate).TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requestCount);
            await Volatile.Read(ref _gate).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
