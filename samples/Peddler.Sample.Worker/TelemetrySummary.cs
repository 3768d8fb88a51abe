using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.IO;
using System.Linq;

namespace Peddler.Sample.Worker;

/// <summary>
/// Listens to the <c>Peddler.Client</c> meter and activity source, as an OpenTelemetry exporter
/// would (<c>.AddMeter(PeddlerTelemetry.MeterName)</c>, <c>.AddSource(PeddlerTelemetry.ActivitySourceName)</c>),
/// and prints what they reported when the worker ends.
/// </summary>
internal sealed class TelemetrySummary : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly ConcurrentDictionary<string, double> _totals = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _spans = new();

    public TelemetrySummary()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PeddlerTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PeddlerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _spans.Enqueue(
                $"{activity.OperationName} {activity.GetTagItem(PeddlerTelemetry.TriggerTag)} -> {activity.Status} " +
                $"({activity.GetTagItem("peddler.token.attempts")} attempt(s), token {activity.GetTagItem("peddler.token.fingerprint")})"),
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public void Print(TextWriter output)
    {
        output.WriteLine("Peddler.Client metrics:");
        foreach (KeyValuePair<string, double> total in _totals.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {total.Key} = {total.Value:0.###}");
        }

        output.WriteLine("Peddler.Client activities:");
        foreach (string span in _spans)
        {
            output.WriteLine($"  {span}");
        }
    }

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string key = instrument.Name;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key != PeddlerTelemetry.ClientNameTag)
            {
                key += $" {tag.Key}={tag.Value}";
            }
        }

        if (instrument is Histogram<double>)
        {
            key += " (sum, s)";
        }

        _totals.AddOrUpdate(key, value, (_, sum) => sum + value);
    }
}
