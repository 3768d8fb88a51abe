using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Peddler;
using Peddler.Caching;
using Peddler.Redis;

// A fleet on one machine: a cache server (Garnet in a process of its own, or the Redis given with
// --redis <configuration>), the local authorization server (Peddler.DevServer) and 4 workers, each
// a separate process that shares its token through the cache. Prints the dev server's token-request
// count: 1. Exit code 0 when every worker got a token the API accepted and the fleet made one request.
//
//   dotnet run --project samples/Peddler.Sample.Fleet                         # Garnet
//   dotnet run --project samples/Peddler.Sample.Fleet -- --redis localhost:6379
//
// Internal modes: --garnet <port> (the cache server), --worker <n> (one instance).
const string ClientId = "dev-client";
const string ClientSecret = "dev-secret-not-real"; // the dev server's shipped fake client
const string CarrierId = "900001";
const int Workers = 4;

Dictionary<string, string> options = new(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

if (options.TryGetValue("--garnet", out string? garnetPort))
{
    return RunGarnet(int.Parse(garnetPort, CultureInfo.InvariantCulture));
}

if (options.TryGetValue("--worker", out string? worker))
{
    return await RunWorkerAsync(worker, options["--redis"], new Uri(options["--endpoint"]), options["--barrier"]);
}

return await RunFleetAsync(options.GetValueOrDefault("--redis") ?? Environment.GetEnvironmentVariable("PEDDLER_REDIS"));

static async Task<int> RunFleetAsync(string? redis)
{
    var processes = new List<Process>();
    string barrier = Path.Combine(Path.GetTempPath(), "peddler-fleet-sample-" + Guid.NewGuid().ToString("N"));
    try
    {
        if (redis is null)
        {
            int port = FreePort();
            processes.Add(StartSelf("garnet", ["--garnet", port.ToString(CultureInfo.InvariantCulture)], _ => { }));
            await WaitForPortAsync(port);
            redis = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
            Console.WriteLine($"cache server: Garnet (process {processes[^1].Id}) on {redis}");
        }
        else
        {
            Console.WriteLine("cache server: the Redis given with --redis");
        }

        int devPort = FreePort();
        int tokenRequests = 0;
        var requestLine = new Regex(@"^\d\d:\d\d:\d\d ", RegexOptions.CultureInvariant);
        Process devServer = Start(
            "dev server",
            "dotnet",
            [DevServerPath(), "--port", devPort.ToString(CultureInfo.InvariantCulture), "--client", $"{ClientId}:{ClientSecret}:{CarrierId}"],
            line =>
            {
                if (requestLine.IsMatch(line))
                {
                    Interlocked.Increment(ref tokenRequests);
                }
            });
        processes.Add(devServer);
        await WaitForPortAsync(devPort);
        var endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{devPort}/oauth/token"));
        Console.WriteLine($"dev server: process {devServer.Id}, token endpoint {endpoint}");

        var lines = new ConcurrentQueue<string>();
        var ready = new CountdownEvent(Workers);
        for (int n = 1; n <= Workers; n++)
        {
            processes.Add(StartSelf(
                "worker " + n.ToString(CultureInfo.InvariantCulture),
                ["--worker", n.ToString(CultureInfo.InvariantCulture), "--redis", redis, "--endpoint", endpoint.AbsoluteUri, "--barrier", barrier],
                line =>
                {
                    if (line == "READY")
                    {
                        ready.Signal();
                    }
                    else
                    {
                        lines.Enqueue(line);
                        Console.WriteLine(line);
                    }
                }));
        }

        if (!ready.Wait(TimeSpan.FromSeconds(60)))
        {
            Console.Error.WriteLine("error: the workers did not start");
            return 1;
        }

        Console.WriteLine($"{Workers} workers started (processes {string.Join(", ", processes.TakeLast(Workers).Select(p => p.Id))}); all ask for a token now");
        File.WriteAllText(barrier, "go");
        foreach (Process process in processes.TakeLast(Workers))
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        // The dev server prints each request as it answers it: wait for the first line, then give
        // any further (unexpected) request time to show up.
        var printed = Stopwatch.StartNew();
        while (Volatile.Read(ref tokenRequests) == 0 && printed.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        await Task.Delay(500);
        int ok = lines.Count(l => l.Contains("api 200", StringComparison.Ordinal));
        int distinct = lines.Select(l => l.Split(' ')).Where(p => p.Length > 3 && p[2] == "token").Select(p => p[3]).Distinct().Count();
        Console.WriteLine($"Token requests at the dev server: {Volatile.Read(ref tokenRequests)} ({Workers} workers, {distinct} distinct token(s), {ok} API call(s) accepted)");
        return ok == Workers && Volatile.Read(ref tokenRequests) == 1 ? 0 : 1;
    }
    finally
    {
        foreach (Process process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        File.Delete(barrier);
    }
}

static async Task<int> RunWorkerAsync(string name, string redis, Uri endpoint, string barrier)
{
    var services = new ServiceCollection();
    services.AddPeddlerClient<FleetTokens>(o =>
    {
        o.ClientId = ClientId;
        o.ClientSecret = ClientSecret;
        o.CarrierId = CarrierId;
        o.TokenEndpoint = endpoint;
        o.BackgroundRefresh = false;
    }).AddDistributedTokenCache(redis);
    await using ServiceProvider provider = services.BuildServiceProvider();
    FleetTokens tokens = provider.GetRequiredService<FleetTokens>();

    // Start connected, as instances that have been running for a while are.
    if (provider.GetKeyedService<PeddlerSharedTokenCache>(nameof(FleetTokens)) is RedisTokenCache cache)
    {
        await cache.WhenConnectedAsync(TimeSpan.FromSeconds(30));
    }

    Console.WriteLine("READY");
    while (!File.Exists(barrier))
    {
        Thread.Sleep(2);
    }

    PeddlerAccessToken token = await tokens.GetTokenAsync();
    using var http = new HttpClient();
    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint, "/api/carrier"));
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
    using HttpResponseMessage response = await http.SendAsync(request);
    Console.WriteLine($"worker {name}: token {token.Fingerprint} (redacted), api {(int)response.StatusCode}");
    return response.IsSuccessStatusCode ? 0 : 1;
}

static int RunGarnet(int port)
{
    using var garnet = new Garnet.GarnetServer(["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"]);
    garnet.Start();
    Thread.Sleep(Timeout.Infinite);
    return 0;
}

static Process StartSelf(string name, string[] arguments, Action<string> onLine) =>
    Start(name, "dotnet", [Assembly.GetEntryAssembly()!.Location, .. arguments], onLine);

static Process Start(string name, string fileName, string[] arguments, Action<string> onLine)
{
    var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (string argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    Process process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
    process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"{name}: {e.Data}"); } };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static string DevServerPath() =>
    typeof(FleetTokens).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "DevServer").Value!;

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitForPortAsync(int port)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }
    }
}

[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class FleetTokens;
