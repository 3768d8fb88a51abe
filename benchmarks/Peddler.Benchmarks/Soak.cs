using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Peddler.Benchmarks.Support;
using Peddler.Testing;

namespace Peddler.Benchmarks;

/// <summary>
/// <c>--soak DURATION</c>: 1,000 concurrent callers make API calls through
/// <c>AddPeddlerAccessToken</c> (a generic host, as the README registers it, background refresh
/// on) against <see cref="PeddlerAuthorizationServer"/> on 127.0.0.1 whose token endpoint fails at
/// random (10 % 503, 1 % dropped connections) and issues 5-second tokens. Reports token requests,
/// failures by type, callers served an expired token (the API answered 401: must be 0), untyped
/// exceptions (anything but a Peddler exception or the documented <see cref="TimeoutException"/>:
/// must be 0) and working-set growth; exits 1 if a must-be-0 is not 0.
/// </summary>
internal static class Soak
{
    private const int Callers = 1000;
    private const int Seed = 7;
    private const string ApiClient = "soak-api";

    public static async Task<int> RunAsync(string durationText)
    {
        TimeSpan duration = ParseDuration(durationText);
        var server = new PeddlerAuthorizationServer(new PeddlerAuthorizationServerOptions { TokenLifetime = TimeSpan.FromSeconds(5) });
        server.AddClient(LocalServer.ClientId, LocalServer.ClientSecret, LocalServer.CarrierId);
        await server.StartAsync();
        server.Faults.SetRandom(Seed, (PeddlerFault.Status(503), 0.10), (PeddlerFault.DropConnection(), 0.01));

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddPeddlerClient<BenchTokens>(options =>
        {
            options.ClientId = LocalServer.ClientId;
            options.ClientSecret = LocalServer.ClientSecret;
            options.TokenEndpoint = server.TokenEndpoint;
        });
        var expired = new ExpiredTokenCounter();
        builder.Services.AddHttpClient(ApiClient)
            .AddPeddlerAccessToken<BenchTokens>()
            .AddHttpMessageHandler(() => expired);
        using IHost host = builder.Build();
        await host.StartAsync();
        HttpClient api = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClient);

        // Warm up (first token, JIT, pools), then measure from here.
        using (HttpResponseMessage first = await api.GetAsync(server.ApiEndpoint))
        {
            first.EnsureSuccessStatusCode();
        }

        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Environment.WorkingSet;
        long peakWorkingSet = workingSetBefore;
        int tokenRequestsBefore = server.TokenRequestCount;
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        long calls = 0;
        long succeeded = 0;
        long untyped = 0;
        var stopwatch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {Callers} callers for {duration}, 5 s tokens, token endpoint faults 10 % 503 + 1 % dropped connections (seed {Seed})"));
        Task sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        Task[] callers = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
        {
            var random = new Random(Seed + i);
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref calls);
                try
                {
                    using HttpResponseMessage response = await api.GetAsync(server.ApiEndpoint, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else
                    {
                        failures.AddOrUpdate($"API {(int)response.StatusCode}", 1, (_, n) => n + 1);
                    }
                }
                catch (Exception ex) when (ex is PeddlerException or TimeoutException)
                {
                    string key = ex is PeddlerException { StatusCode: HttpStatusCode status } ? $"{ex.GetType().Name} {(int)status}" : ex.GetType().Name;
                    failures.AddOrUpdate(key, 1, (_, n) => n + 1);
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref untyped);
                    failures.AddOrUpdate("untyped " + ex.GetType().FullName, 1, (_, n) => n + 1);
                }

                try
                {
                    await Task.Delay(random.Next(200, 1000), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        })).ToArray();

        await Task.WhenAll(callers);
        await sampler;
        stopwatch.Stop();
        long workingSetAfter = Environment.WorkingSet;
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        int tokenRequests = server.TokenRequestCount - tokenRequestsBefore;
        var injected = server.TokenRequests.Skip(tokenRequestsBefore)
            .GroupBy(r => r.Fault is null ? "answered normally" : r.Fault == PeddlerFaultKind.Status ? "503 injected" : "connection dropped")
            .ToDictionary(g => g.Key, g => g.Count());
        await host.StopAsync();
        await server.DisposeAsync();

        double seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            soak: ran {seconds:F1} s; load average at end {LoadAverage()}
              API calls:                    {calls:N0} ({calls / seconds:F0}/s), succeeded {succeeded:N0}
              token requests:               {tokenRequests:N0} ({tokenRequests / seconds:F2}/s): {string.Join(", ", injected.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value:N0}"))}
              caller failures by type:      {(failures.IsEmpty ? "none" : string.Join(", ", failures.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value:N0}")))}
              served an expired token:      {expired.Count:N0} (must be 0)
              untyped exceptions:           {untyped:N0} (must be 0)
              working set:                  {workingSetBefore / 1048576.0:F1} MiB -> {workingSetAfter / 1048576.0:F1} MiB (growth {(workingSetAfter - workingSetBefore) / 1048576.0:+0.0;-0.0} MiB, peak {peakWorkingSet / 1048576.0:F1} MiB)
              managed heap after a full GC: {heapBefore / 1048576.0:F1} MiB -> {heapAfter / 1048576.0:F1} MiB (host running; before the callers start, after they end)
            """));
        bool passed = expired.Count == 0 && untyped == 0 && succeeded > 0;
        Console.WriteLine(passed ? "soak: PASS" : "soak: FAIL");
        return passed ? 0 : 1;
    }

    /// <summary>Parses <c>10s</c>, <c>5m</c>, <c>1h</c>, a number of seconds, or a <see cref="TimeSpan"/> (<c>00:05:00</c>).</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span) && text.Contains(':', StringComparison.Ordinal))
        {
            return span;
        }

        (string number, double unit) = text[^1] switch
        {
            's' => (text[..^1], 1.0),
            'm' => (text[..^1], 60.0),
            'h' => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : throw new ArgumentException($"--soak takes a duration such as 10s, 5m or 00:05:00, not '{text}'.");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    /// <summary>
    /// Sits inside <c>AddPeddlerAccessToken</c>, so it sees every API response to every token sent:
    /// a 401 means the client sent a token the API no longer accepts.
    /// </summary>
    private sealed class ExpiredTokenCounter : DelegatingHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                Interlocked.Increment(ref _count);
            }

            return response;
        }
    }
}
