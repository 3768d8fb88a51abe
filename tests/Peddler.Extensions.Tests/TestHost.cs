using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Peddler.Testing;

namespace Peddler.Extensions.Tests;

/// <summary>Fake credentials: obviously not real.</summary>
internal static class Fake
{
    public const string ClientId = "test-client";
    public const string Secret = "fake-secret-do-not-use";
    public const string Carrier = "900001";

    public const string SecondClientId = "second-client";
    public const string SecondSecret = "fake-second-secret-do-not-use";
    public const string SecondCarrier = "900002";
}

/// <summary>A local authorization server, and a generic host built the way the README shows.</summary>
internal static class TestHost
{
    /// <summary>Long enough for anything on loopback; only guards against a hung test.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<PeddlerAuthorizationServer> StartServerAsync(TimeProvider? time = null)
    {
        var options = new PeddlerAuthorizationServerOptions();
        if (time is not null)
        {
            options.TimeProvider = time;
        }

        var server = new PeddlerAuthorizationServer(options);
        server.AddClient(Fake.ClientId, Fake.Secret, Fake.Carrier);
        server.AddClient(Fake.SecondClientId, Fake.SecondSecret, Fake.SecondCarrier);
        await server.StartAsync();
        return server;
    }

    /// <summary>Configuration keys for a client of <paramref name="server"/> under <paramref name="section"/>, with fast retries.</summary>
    public static Dictionary<string, string?> Settings(
        PeddlerAuthorizationServer server,
        string section = "Peddler",
        string clientId = Fake.ClientId,
        string secret = Fake.Secret,
        bool backgroundRefresh = false) => new()
    {
        [$"{section}:ClientId"] = clientId,
        [$"{section}:ClientSecret"] = secret,
        [$"{section}:TokenEndpoint"] = server.TokenEndpoint.ToString(),
        [$"{section}:RetryBaseDelay"] = "00:00:00.001",
        [$"{section}:MaxRetryDelay"] = "00:00:00.005",
        [$"{section}:BackgroundRefresh"] = backgroundRefresh ? "true" : "false",
    };

    /// <summary>
    /// An empty host builder (no default sources or providers) with <paramref name="settings"/> as
    /// configuration, every log line of every category captured by <paramref name="logs"/>, and
    /// <paramref name="time"/> as the container's clock.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(
        IEnumerable<KeyValuePair<string, string?>> settings,
        LogCapture? logs = null,
        TimeProvider? time = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddMetrics();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        return builder;
    }

    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Starts a host and stops it (even when the test fails) on dispose.</summary>
internal sealed class RunningHost : IAsyncDisposable
{
    private RunningHost(IHost host) => Host = host;

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public static async Task<RunningHost> StartAsync(HostApplicationBuilder builder, Action<IServiceProvider>? beforeStart = null)
    {
        IHost host = builder.Build();
        try
        {
            beforeStart?.Invoke(host.Services);
            await host.StartAsync().WaitAsync(TestHost.Patience);
            return new RunningHost(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TestHost.Patience);
        await Host.StopAsync(stop.Token);
        Host.Dispose();
    }
}
