using System;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>The instrumentation must not cost the warm cache its allocation-free hit.</summary>
public class HotPathTests
{
    private const int Calls = 20_000;

    [Fact]
    public async Task A_cache_hit_allocates_nothing_with_or_without_a_meter_listener()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        using ServiceProvider metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meterFactory = metrics.GetRequiredService<IMeterFactory>();
        using var http = new HttpClient();
        var logs = new LogCapture();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        CarrierTokens tokens = PeddlerClientFactory.Create<CarrierTokens>(
            http,
            new PeddlerClientOptions { ClientId = Fake.ClientId, ClientSecret = Fake.Secret, TokenEndpoint = server.TokenEndpoint },
            loggerFactory,
            meterFactory: meterFactory);
        await tokens.GetTokenAsync();

        Assert.Equal(0, AllocatedByHits(tokens));

        long hits = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == PeddlerTelemetry.CacheHitsInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref hits, value));
        listener.Start();

        Assert.Equal(0, AllocatedByHits(tokens));
        Assert.Equal(2 * Calls, Interlocked.Read(ref hits));
    }

    /// <summary>Bytes allocated by <see cref="Calls"/> cache hits on this thread, after as many to warm up.</summary>
    private static long AllocatedByHits(CarrierTokens tokens)
    {
        Hit(tokens);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Hit(tokens);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void Hit(CarrierTokens tokens)
    {
        for (int i = 0; i < Calls; i++)
        {
            ValueTask<PeddlerAccessToken> call = tokens.GetTokenAsync();
            if (!call.IsCompletedSuccessfully)
            {
                Assert.Fail("A warm cache must answer at once.");
            }
        }
    }
}
