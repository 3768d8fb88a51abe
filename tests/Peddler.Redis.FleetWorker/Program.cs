using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Peddler;
using Peddler.Caching;
using Peddler.Redis;

// One fleet instance. Arguments (all required unless noted):
//   --redis <configuration>    StackExchange.Redis configuration string; "none" for no shared cache
//   --endpoint <uri>           the token endpoint (a local Peddler.Testing server)
//   --client-id <id>           the client id; the secret comes from PEDDLER_CLIENT_SECRET
//   --carrier <id>             the carrier id
//   --carriers <n>             instead: ask for n run-time carriers 900001… (50 at a time)
//   --barrier <path>           wait until this file exists, then ask for a token
//   --prefix <prefix>          Redis key prefix (optional)
//   --lease-ms <ms>            lock lease (optional)
//   --wait-ms <ms>             wait timeout (optional)
//   --operation-timeout-ms <ms> Redis operation timeout (optional)
// Writes one line per event to stdout: READY, LOCK (this instance requests the fleet's token),
// TOKEN <fingerprint> <milliseconds from the barrier>, CARRIERS <n> <fingerprints hash> <wall ms> <CPU ms>,
// WARN <event> <message>, ERROR <type>.
Dictionary<string, string> arguments = new(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    arguments[args[i]] = args[i + 1];
}

string redis = arguments["--redis"];
var services = new ServiceCollection();
services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new StdoutEvents()));
IHttpClientBuilder client = services.AddPeddlerClient<FleetTokens>(options =>
{
    options.ClientId = arguments["--client-id"];
    options.ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET");
    options.CarrierId = arguments.GetValueOrDefault("--carrier");
    options.TokenEndpoint = new Uri(arguments["--endpoint"]);
    options.BackgroundRefresh = false;
});
if (!string.Equals(redis, "none", StringComparison.Ordinal))
{
    client.AddDistributedTokenCache(options =>
    {
        options.Configuration = redis;
        if (arguments.TryGetValue("--prefix", out string? prefix))
        {
            options.KeyPrefix = prefix;
        }

        if (arguments.TryGetValue("--lease-ms", out string? lease))
        {
            options.LockLease = TimeSpan.FromMilliseconds(int.Parse(lease, CultureInfo.InvariantCulture));
        }

        if (arguments.TryGetValue("--operation-timeout-ms", out string? operation))
        {
            options.OperationTimeout = TimeSpan.FromMilliseconds(int.Parse(operation, CultureInfo.InvariantCulture));
        }

        if (arguments.TryGetValue("--wait-ms", out string? wait))
        {
            options.WaitTimeout = TimeSpan.FromMilliseconds(int.Parse(wait, CultureInfo.InvariantCulture));
        }
    });
}

await using ServiceProvider provider = services.BuildServiceProvider();
FleetTokens tokens = provider.GetRequiredService<FleetTokens>();

// Started means connected: the test releases the barrier once every instance is up, as a fleet
// that has been running for a while would be.
if (provider.GetKeyedService<PeddlerSharedTokenCache>(nameof(FleetTokens)) is RedisTokenCache cache
    && !await cache.WhenConnectedAsync(TimeSpan.FromSeconds(30)))
{
    Console.WriteLine("ERROR not-connected");
    return 1;
}

Console.WriteLine("READY");

string barrier = arguments["--barrier"];
while (!File.Exists(barrier))
{
    Thread.Sleep(2);
}

var clock = Stopwatch.StartNew();
try
{
    if (arguments.TryGetValue("--carriers", out string? carrierCount))
    {
        // Many carriers cold at once: 50 at a time, as a platform's first requests would come.
        int count = int.Parse(carrierCount, CultureInfo.InvariantCulture);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var fingerprints = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (i, ct) =>
            fingerprints[i] = (await tokens.GetCarrierTokenAsync((900_001 + i).ToString(CultureInfo.InvariantCulture), ct)).Fingerprint);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        string digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join(',', fingerprints))))[..16];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CARRIERS {count} {digest} {clock.Elapsed.TotalMilliseconds:F1} {cpu.TotalMilliseconds:F1}"));
        return 0;
    }

    PeddlerAccessToken token = await tokens.GetTokenAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TOKEN {token.Fingerprint} {clock.Elapsed.TotalMilliseconds:F1}"));
    return 0;
}
catch (Exception ex)
{
    Console.WriteLine("ERROR " + ex.GetType().Name);
    return 1;
}

[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class FleetTokens;

/// <summary>Writes the fleet cache's lock event to stdout, so the test knows which process holds the lock.</summary>
internal sealed class StdoutEvents : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName.StartsWith("Peddler.Redis.", StringComparison.Ordinal));

    public void Dispose()
    {
    }

    private sealed class Logger(bool fleetCache) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => fleetCache;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (fleetCache && eventId.Name == "FleetLockAcquired")
            {
                Console.WriteLine("LOCK");
            }
            else if (fleetCache && logLevel >= LogLevel.Warning)
            {
                Console.WriteLine("WARN " + eventId.Name + " " + formatter(state, exception));
            }
        }
    }
}
