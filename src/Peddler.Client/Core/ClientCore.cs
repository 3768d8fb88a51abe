using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using Peddler.Diagnostics;

namespace Peddler.Core;

/// <summary>
/// What a client's token caches share — its own and every run-time carrier's: the way to the
/// token endpoint (an HTTP client, or a factory of them), the fleet cache if any, the clock, the
/// settings generation in force (swapped atomically by <see cref="Replace"/>), refusals of the
/// client's credentials seen by any carrier, and one acquisition: a token from the fleet cache or
/// the endpoint, scheduled as a <see cref="CacheEntry"/>.
/// </summary>
internal sealed class ClientCore
{
    private readonly HttpClient? _httpClient;
    private readonly Func<HttpClient>? _createHttpClient;
    private readonly Func<PeddlerRequestSettings, PeddlerClientDiagnostics>? _createDiagnostics;
    private readonly object _replacing = new();
    private SettingsGeneration _generation;

    public ClientCore(
        HttpClient? httpClient,
        Func<HttpClient>? createHttpClient,
        PeddlerClientOptions options,
        PeddlerClientDescriptor descriptor,
        TimeProvider? timeProvider,
        Func<PeddlerRequestSettings, PeddlerClientDiagnostics>? createDiagnostics,
        PeddlerSharedTokenCache? sharedCache)
    {
        _httpClient = httpClient;
        _createHttpClient = createHttpClient;
        _createDiagnostics = createDiagnostics;
        Descriptor = descriptor;
        Clock = new MonotonicClock(timeProvider);
        SharedCache = sharedCache;
        PeddlerRequestSettings settings = Validate(options);
        _generation = SettingsGeneration.Create(settings, CreateDiagnostics(settings), descriptor, Clock.TimeProvider);
        CacheHits = _generation.Diagnostics.Instruments.CacheHits;
        ClientTag = _generation.Diagnostics.ClientTag;
    }

    public PeddlerClientDescriptor Descriptor { get; }

    public MonotonicClock Clock { get; }

    /// <summary>The fleet cache, or <see langword="null"/>; consulted only where a cache would call the token endpoint.</summary>
    public PeddlerSharedTokenCache? SharedCache { get; }

    /// <summary>Refusals of the client itself (its id or secret, not a carrier's scope) seen by any carrier: every carrier honours them.</summary>
    public FailureGate ClientRefusals { get; } = new();

    /// <summary>Read on every cache hit: kept in fields so that a hit with no listener costs one bool read.</summary>
    public Counter<long> CacheHits { get; }

    public KeyValuePair<string, object?> ClientTag { get; }

    /// <summary>The generation in force.</summary>
    public SettingsGeneration Generation => Volatile.Read(ref _generation);

    /// <summary>Validates <paramref name="options"/> into settings (and prepares the one slow fleet-key derivation, off any request's path).</summary>
    public PeddlerRequestSettings Validate(PeddlerClientOptions options)
    {
        PeddlerRequestSettings settings = PeddlerRequestSettings.From(options, Descriptor);
        if (SharedCache is not null)
        {
            settings.FleetKeys.Prepare();
        }

        return settings;
    }

    /// <summary>Puts <paramref name="settings"/> in force as a new generation; returns the one replaced.</summary>
    public SettingsGeneration Replace(PeddlerRequestSettings settings)
    {
        lock (_replacing)
        {
            SettingsGeneration previous = _generation;
            PeddlerClientDiagnostics diagnostics = settings.TokenEndpoint == previous.Settings.TokenEndpoint ? previous.Diagnostics : CreateDiagnostics(settings);
            Volatile.Write(ref _generation, SettingsGeneration.Create(settings, diagnostics, Descriptor, Clock.TimeProvider));
            ClientRefusals.Reset();
            return previous;
        }
    }

    /// <summary>
    /// One acquisition with <paramref name="generation"/>: through the fleet cache when there is
    /// one (which calls the endpoint only if no other instance has a usable token), else the
    /// endpoint; the token scheduled from the moment the acquisition started.
    /// </summary>
    public async Task<CacheEntry> AcquireAsync(SettingsGeneration generation, CacheEntry? replacing, AcquireReason reason)
    {
        long startedAt = Clock.Now;
        long startedAtTickCount = Environment.TickCount64;
        string trigger = reason.Telemetry();
        PeddlerAccessToken token = SharedCache is null
            ? await RequestAsync(generation, trigger, startedAt).ConfigureAwait(false)
            : await SharedCache.GetOrRequestAsync(
                new PeddlerTokenCacheContext(Descriptor.ClientName, generation.Settings, replacing?.Token, trigger),
                _ => RequestAsync(generation, trigger, Clock.Now),
                CancellationToken.None).ConfigureAwait(false);
        return CacheEntry.Schedule(token, startedAt, startedAtTickCount, generation.Settings.RefreshMargin, Clock);
    }

    private Task<PeddlerAccessToken> RequestAsync(SettingsGeneration generation, string trigger, long startedAt) =>
        generation.Endpoint.AcquireAsync(_httpClient ?? _createHttpClient!(), trigger, startedAt);

    private PeddlerClientDiagnostics CreateDiagnostics(PeddlerRequestSettings settings) =>
        _createDiagnostics?.Invoke(settings) ?? new PeddlerClientDiagnostics(Descriptor.ClientName, settings.TokenEndpoint, null, null);
}
