using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Peddler.Diagnostics;

/// <summary>
/// The <c>Peddler.Client</c> meter's instruments. Clients created without a host share
/// <see cref="Shared"/>; in a host, the meter comes from its <see cref="IMeterFactory"/>, so each
/// container (and each test) has its own.
/// </summary>
internal sealed class PeddlerInstruments
{
    private static readonly string? Version = typeof(PeddlerInstruments).Assembly.GetName().Version?.ToString(3);

    /// <summary>The source of every Peddler activity.</summary>
    public static ActivitySource ActivitySource { get; } = new(PeddlerTelemetry.ActivitySourceName, Version);

    /// <summary>Instruments on a process-wide meter, for clients created without a host.</summary>
    public static PeddlerInstruments Shared { get; } = new(new Meter(PeddlerTelemetry.MeterName, Version));

    private PeddlerInstruments(Meter meter)
    {
        TokenRequests = meter.CreateCounter<long>(
            PeddlerTelemetry.TokenRequestsInstrument, "{request}", "Token acquisitions (each may take several HTTP attempts), by outcome.");
        TokenRequestDuration = meter.CreateHistogram<double>(
            PeddlerTelemetry.TokenRequestDurationInstrument, "s", "Duration of token acquisitions, retries and waits included.");
        TokenRetries = meter.CreateCounter<long>(
            PeddlerTelemetry.TokenRetriesInstrument, "{retry}", "Retried attempts of token requests after a transient failure.");
        CacheHits = meter.CreateCounter<long>(
            PeddlerTelemetry.CacheHitsInstrument, "{call}", "GetTokenAsync calls answered from the cache.");
        CacheMisses = meter.CreateCounter<long>(
            PeddlerTelemetry.CacheMissesInstrument, "{call}", "GetTokenAsync calls that waited for a token request.");
        Refreshes = meter.CreateCounter<long>(
            PeddlerTelemetry.RefreshesInstrument, "{refresh}", "Background token refreshes, by outcome.");
        Invalidations = meter.CreateCounter<long>(
            PeddlerTelemetry.InvalidationsInstrument, "{token}", "Cached tokens dropped by InvalidateToken.");
    }

    public Counter<long> TokenRequests { get; }

    public Histogram<double> TokenRequestDuration { get; }

    public Counter<long> TokenRetries { get; }

    public Counter<long> CacheHits { get; }

    public Counter<long> CacheMisses { get; }

    public Counter<long> Refreshes { get; }

    public Counter<long> Invalidations { get; }

    /// <summary>Instruments on <paramref name="meterFactory"/>'s meter, or <see cref="Shared"/> without one.</summary>
    public static PeddlerInstruments For(IMeterFactory? meterFactory) =>
        meterFactory is null
            ? Shared
            : new PeddlerInstruments(meterFactory.Create(new MeterOptions(PeddlerTelemetry.MeterName) { Version = Version }));
}
