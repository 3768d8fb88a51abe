using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Identity.Client;
using Peddler.Benchmarks.Support;
using Peddler.Testing;

namespace Peddler.Benchmarks;

/// <summary>
/// Group 1, cached token: a warm-cache <c>GetTokenAsync</c> against MSAL's
/// <c>AcquireTokenForClient(...).ExecuteAsync()</c> cache hit and a hand-written lock + field cache,
/// in one run. Every first call is served by the local authorization server over loopback.
/// </summary>
[MemoryDiagnoser]
public class CachedTokenBenchmarks
{
    private PeddlerAuthorizationServer _server = null!;
    private HttpClient _http = null!;
    private BenchTokens _peddler = null!;
    private MsalLoopback _msalLoopback = null!;
    private IConfidentialClientApplication _msal = null!;
    private LockFieldTokenCache _lockCache = null!;
    private PeddlerAccessToken _token = null!;
    private long _deadline;
    private long _coarseDeadline;
    private MeterListener? _listener;
    private long _observedHits;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        _http = new HttpClient(LocalServer.Handler());
        _peddler = new BenchTokens(_http, LocalServer.Options(_server));
        _token = await _peddler.GetTokenAsync();

        _msalLoopback = new MsalLoopback(_server);
        _msal = _msalLoopback.CreateApp();
        AuthenticationResult first = await _msal.AcquireTokenForClient(MsalLoopback.Scopes).ExecuteAsync();
        AuthenticationResult second = await _msal.AcquireTokenForClient(MsalLoopback.Scopes).ExecuteAsync();
        if (first.AuthenticationResultMetadata.TokenSource != TokenSource.IdentityProvider
            || second.AuthenticationResultMetadata.TokenSource != TokenSource.Cache)
        {
            throw new InvalidOperationException(
                $"MSAL did not cache: first {first.AuthenticationResultMetadata.TokenSource}, second {second.AuthenticationResultMetadata.TokenSource}.");
        }

        _lockCache = new LockFieldTokenCache(_token, TimeSpan.FromSeconds(60));
        _deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3600;
        _coarseDeadline = Environment.TickCount64 + 3_600_000;
    }

    /// <summary>For <see cref="PeddlerClientObserved"/> only: a listener on the Peddler.Client meter, as an OpenTelemetry exporter would be.</summary>
    [GlobalSetup(Target = nameof(PeddlerClientObserved))]
    public async Task SetupObservedAsync()
    {
        await SetupAsync();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PeddlerTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _observedHits += value);
        _listener.Start();
    }

    [GlobalCleanup(Target = nameof(PeddlerClientObserved))]
    public async Task CleanupObservedAsync()
    {
        _listener?.Dispose();
        Console.WriteLine($"// meter listener recorded {_observedHits} Peddler.Client measurements");
        if (_observedHits == 0)
        {
            throw new InvalidOperationException("The meter listener saw no cache hit: the observed case measured nothing extra.");
        }

        await CleanupAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // Every measured call must have been a hit: one token request each, ever.
        if (_server.TokenRequestCount != 2 || _msalLoopback.RequestCount != 1)
        {
            throw new InvalidOperationException(
                $"Expected one token request each for Peddler and MSAL; the server saw {_server.TokenRequestCount}, MSAL sent {_msalLoopback.RequestCount}.");
        }

        _msalLoopback.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>Our warm cache: a volatile read, a monotonic clock read and a compare.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<PeddlerAccessToken> PeddlerClient() => _peddler.GetTokenAsync();

    /// <summary>The same call while a <see cref="MeterListener"/> listens to the Peddler.Client meter (one cache-hit counter add per call).</summary>
    [Benchmark]
    public ValueTask<PeddlerAccessToken> PeddlerClientObserved() => _peddler.GetTokenAsync();

    /// <summary>MSAL.NET 4.92's documented call, answered from its in-memory app token cache.</summary>
    [Benchmark]
    public Task<AuthenticationResult> Msal() => _msal.AcquireTokenForClient(MsalLoopback.Scopes).ExecuteAsync();

    /// <summary>A <c>lock</c> + field + <c>DateTimeOffset.UtcNow</c> cache, as commonly hand-written.</summary>
    [Benchmark]
    public ValueTask<PeddlerAccessToken> LockAndField() => _lockCache.GetTokenAsync();

    /// <summary>The physical floor of any cache hit: one monotonic clock read and one compare.</summary>
    [Benchmark]
    public PeddlerAccessToken? ClockReadAndCompare() => Stopwatch.GetTimestamp() < _deadline ? _token : null;

    /// <summary>
    /// The same with the coarse clock (<see cref="Environment.TickCount64"/>, CLOCK_MONOTONIC_COARSE on
    /// Linux, millisecond resolution): what a hit could cost if it did not need a fine clock.
    /// </summary>
    [Benchmark]
    public PeddlerAccessToken? CoarseClockReadAndCompare() => Environment.TickCount64 < _coarseDeadline ? _token : null;
}
