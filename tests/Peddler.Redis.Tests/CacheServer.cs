using System;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Garnet;

namespace Peddler.Redis.Tests;

/// <summary>
/// A real RESP server for a test: embedded Garnet (in-process, Lua on) by default; with
/// <c>PEDDLER_TEST_REDIS=host:port</c> set, that redis-server for shared use, and for tests that stop
/// the server a private <c>redis-server</c> process (from <c>PEDDLER_TEST_REDIS_SERVER</c>, or
/// <c>redis-server</c> on the PATH) on a free port, without persistence.
/// </summary>
internal sealed class CacheServer : IAsyncDisposable
{
    public const string RedisVariable = "PEDDLER_TEST_REDIS";
    public const string RedisServerVariable = "PEDDLER_TEST_REDIS_SERVER";

    private readonly bool _shared;
    private readonly int _port;
    private GarnetServer? _garnet;
    private Process? _redis;

    private CacheServer(string configuration, int port, bool shared)
    {
        Configuration = configuration;
        _port = port;
        _shared = shared;
    }

    /// <summary>The StackExchange.Redis configuration string of the server.</summary>
    public string Configuration { get; }

    public static string? ExternalRedis => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Which server the tests run against.</summary>
    public static string Kind => ExternalRedis is null ? "garnet" : "redis-server";

    /// <summary>A server the test may share with others (it is never stopped); tests isolate themselves with key prefixes.</summary>
    public static async Task<CacheServer> StartSharedAsync()
    {
        if (ExternalRedis is { } external)
        {
            return new CacheServer(external, 0, shared: true);
        }

        return await StartDedicatedAsync();
    }

    /// <summary>A server of the test's own, which it may stop and restart.</summary>
    public static async Task<CacheServer> StartDedicatedAsync()
    {
        int port = FreePort();
        var server = new CacheServer(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"), port, shared: false);
        await server.StartAsync();
        return server;
    }

    /// <summary>Stops the server: every connection is closed and the port refuses new ones.</summary>
    public async Task StopAsync()
    {
        if (_shared)
        {
            throw new InvalidOperationException("A shared server is never stopped.");
        }

        _garnet?.Dispose();
        _garnet = null;
        if (_redis is { } redis)
        {
            redis.Kill(entireProcessTree: true);
            await redis.WaitForExitAsync();
            redis.Dispose();
            _redis = null;
        }
    }

    /// <summary>Starts the server again on the same port, empty.</summary>
    public Task RestartAsync() => StartAsync();

    private async Task StartAsync()
    {
        if (ExternalRedis is null)
        {
            _garnet = new GarnetServer(["--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"]);
            _garnet.Start();
        }
        else
        {
            string binary = Environment.GetEnvironmentVariable(RedisServerVariable) is { Length: > 0 } path ? path : "redis-server";
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
            {
                start.ArgumentList.Add(argument);
            }

            _redis = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
            _redis.OutputDataReceived += static (_, _) => { };
            _redis.ErrorDataReceived += static (_, _) => { };
            _redis.BeginOutputReadLine();
            _redis.BeginErrorReadLine();
        }

        // Ready when the port accepts connections.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(20);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_shared)
        {
            await StopAsync();
        }
    }
}
