using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

public class TelemetryTests
{
    private sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Records the measurements of the <c>Peddler.Client</c> meter of one container only.</summary>
    private sealed class MeterRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<Measurement> _measurements = [];

        public MeterRecorder(Func<Meter, bool> ours)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PeddlerTelemetry.MeterName && ours(instrument.Meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public IReadOnlyList<Measurement> Measurements
        {
            get
            {
                lock (_measurements)
                {
                    return _measurements.ToArray();
                }
            }
        }

        public IEnumerable<Measurement> Of(string instrument, string client) =>
            Measurements.Where(m => m.Instrument == instrument && (string?)m.Tags[PeddlerTelemetry.ClientNameTag] == client);

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (_measurements)
            {
                _measurements.Add(new Measurement(instrument.Name, instrument.Unit, value, copy));
            }
        }
    }

    private static async Task<RunningHost> StartTwoClientsAsync(
        PeddlerAuthorizationServer server, bool backgroundRefresh = false, Action<IServiceProvider>? beforeStart = null, LogCapture? logs = null)
    {
        var settings = TestHost.Settings(server, backgroundRefresh: backgroundRefresh);
        foreach (var pair in TestHost.Settings(server, "Second", Fake.SecondClientId, "fake-wrong-secret"))
        {
            settings.Add(pair.Key, pair.Value);
        }

        HostApplicationBuilder builder = TestHost.CreateBuilder(settings, logs ?? new LogCapture());
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        builder.Services.AddPeddlerClient<SecondCarrierTokens>(builder.Configuration.GetSection("Second"));
        return await RunningHost.StartAsync(builder, beforeStart);
    }

    [Fact]
    public async Task The_meter_counts_requests_by_outcome_retries_cache_hits_misses_and_invalidations()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        IMeterFactory? factory = null;
        using var recorder = new MeterRecorder(meter => meter.Scope is not null && meter.Scope == factory);
        await using RunningHost host = await StartTwoClientsAsync(server, beforeStart: sp => factory = sp.GetRequiredService<IMeterFactory>());
        var tokens = host.Services.GetRequiredService<CarrierTokens>();
        server.Faults.Enqueue(PeddlerFault.Status(503));

        PeddlerAccessToken token = await tokens.GetTokenAsync();
        await tokens.GetTokenAsync();
        await tokens.GetTokenAsync();
        tokens.InvalidateToken(token);
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await host.Services.GetRequiredService<SecondCarrierTokens>().GetTokenAsync());

        Measurement success = Assert.Single(recorder.Of(PeddlerTelemetry.TokenRequestsInstrument, "CarrierTokens"));
        Assert.Equal(1, success.Value);
        Assert.Equal("{request}", success.Unit);
        Assert.Equal("success", success.Tags[PeddlerTelemetry.OutcomeTag]);
        Assert.False(success.Tags.ContainsKey(PeddlerTelemetry.ErrorTypeTag));

        Measurement refused = Assert.Single(recorder.Of(PeddlerTelemetry.TokenRequestsInstrument, "SecondCarrierTokens"));
        Assert.Equal("oauth_error", refused.Tags[PeddlerTelemetry.OutcomeTag]);
        Assert.Equal("access_denied", refused.Tags[PeddlerTelemetry.OAuthErrorTag]);
        Assert.Equal("access_denied", refused.Tags[PeddlerTelemetry.ErrorTypeTag]);

        Measurement retry = Assert.Single(recorder.Of(PeddlerTelemetry.TokenRetriesInstrument, "CarrierTokens"));
        Assert.Equal("503", retry.Tags[PeddlerTelemetry.ErrorTypeTag]);

        Measurement[] durations = recorder.Measurements.Where(m => m.Instrument == PeddlerTelemetry.TokenRequestDurationInstrument).ToArray();
        Assert.Equal(2, durations.Length);
        Assert.All(durations, d => Assert.Equal("s", d.Unit));
        Assert.All(durations, d => Assert.InRange(d.Value, 0, TestHost.Patience.TotalSeconds));
        Assert.Equal(["oauth_error", "success"], durations.Select(d => (string)d.Tags[PeddlerTelemetry.OutcomeTag]!).Order(StringComparer.Ordinal));

        Assert.Equal(2, recorder.Of(PeddlerTelemetry.CacheHitsInstrument, "CarrierTokens").Sum(m => m.Value));
        Assert.Equal(1, recorder.Of(PeddlerTelemetry.CacheMissesInstrument, "CarrierTokens").Sum(m => m.Value));
        Assert.Equal(1, recorder.Of(PeddlerTelemetry.CacheMissesInstrument, "SecondCarrierTokens").Sum(m => m.Value));
        Assert.Equal(1, recorder.Of(PeddlerTelemetry.InvalidationsInstrument, "CarrierTokens").Sum(m => m.Value));
        Assert.DoesNotContain(recorder.Measurements, m => m.Instrument == PeddlerTelemetry.RefreshesInstrument);
    }

    [Fact]
    public async Task The_meter_counts_background_refreshes()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        IMeterFactory? factory = null;
        using var recorder = new MeterRecorder(meter => meter.Scope is not null && meter.Scope == factory);
        var logs = new LogCapture();
        await using RunningHost host = await StartTwoClientsAsync(server, backgroundRefresh: true, sp => factory = sp.GetRequiredService<IMeterFactory>(), logs);

        // The refresh fetches the first token at start (and logs it after counting it).
        await logs.WaitForEventAsync(12);
        await host.Services.GetRequiredService<CarrierTokens>().GetTokenAsync();

        Measurement refresh = Assert.Single(recorder.Of(PeddlerTelemetry.RefreshesInstrument, "CarrierTokens"));
        Assert.Equal("success", refresh.Tags[PeddlerTelemetry.OutcomeTag]);
        Assert.Equal("{refresh}", refresh.Unit);
        Assert.Single(recorder.Of(PeddlerTelemetry.TokenRequestsInstrument, "CarrierTokens"));
    }

    [Fact]
    public async Task Each_acquisition_is_an_activity_with_its_retries_outcome_and_fingerprint_but_no_token()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PeddlerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("server.port") is int port && port == server.TokenEndpoint.Port)
                {
                    lock (activities)
                    {
                        activities.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using RunningHost host = await StartTwoClientsAsync(server);
        server.Faults.Enqueue(PeddlerFault.Status(503));

        PeddlerAccessToken token = await host.Services.GetRequiredService<CarrierTokens>().GetTokenAsync();
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await host.Services.GetRequiredService<SecondCarrierTokens>().GetTokenAsync());

        Activity[] stopped;
        lock (activities)
        {
            stopped = activities.ToArray();
        }

        Activity acquired = Assert.Single(stopped, a => (string?)a.GetTagItem(PeddlerTelemetry.ClientNameTag) == "CarrierTokens");
        Assert.Equal(PeddlerTelemetry.AcquireTokenActivityName, acquired.OperationName);
        Assert.Equal(ActivityStatusCode.Ok, acquired.Status);
        Assert.Equal("127.0.0.1", acquired.GetTagItem("server.address"));
        Assert.Equal("cache_miss", acquired.GetTagItem(PeddlerTelemetry.TriggerTag));
        Assert.Equal("success", acquired.GetTagItem(PeddlerTelemetry.OutcomeTag));
        Assert.Equal(2, acquired.GetTagItem("peddler.token.attempts"));
        Assert.Equal(token.Fingerprint, acquired.GetTagItem("peddler.token.fingerprint"));
        ActivityEvent retry = Assert.Single(acquired.Events);
        Assert.Equal("peddler.client.token.retry", retry.Name);
        Assert.Contains(retry.Tags, t => t.Key == PeddlerTelemetry.ErrorTypeTag && (string?)t.Value == "503");

        Activity refused = Assert.Single(stopped, a => (string?)a.GetTagItem(PeddlerTelemetry.ClientNameTag) == "SecondCarrierTokens");
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal("access_denied", refused.GetTagItem(PeddlerTelemetry.ErrorTypeTag));

        foreach (Activity activity in stopped)
        {
            string all = string.Join('\n', activity.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(activity.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}")))
                .Append(activity.StatusDescription ?? string.Empty));
            Assert.DoesNotContain(token.AccessToken, all, StringComparison.Ordinal);
            Assert.DoesNotContain(Fake.Secret, all, StringComparison.Ordinal);
            Assert.DoesNotContain("fake-wrong-secret", all, StringComparison.Ordinal);
        }
    }
}
