using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Garnet;

namespace Peddler.Benchmarks.Fleet;

/// <summary>Embedded Garnet on a free port, or the Redis named by <c>PEDDLER_BENCH_REDIS</c>.</summary>
internal sealed class CacheServer : IDisposable
{
    private readonly GarnetServer? _garnet;

    public CacheServer()
    {
        if (Environment.GetEnvironmentVariable("PEDDLER_BENCH_REDIS") is { Length: > 0 } redis)
        {
            Configuration = redis;
            return;
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        _garnet = new GarnetServer(["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"]);
        _garnet.Start();
        Configuration = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
    }

    public string Configuration { get; }

    public void Dispose() => _garnet?.Dispose();
}
