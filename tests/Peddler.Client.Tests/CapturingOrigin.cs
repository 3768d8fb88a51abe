using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Client.Tests;

/// <summary>
/// Another origin on 127.0.0.1 (a raw socket, so that every byte a client sends is seen, headers and
/// body alike): answers each request with an empty 404 and records what it received.
/// </summary>
internal sealed class CapturingOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly StringBuilder _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public CapturingOrigin()
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/oauth/token");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Everything received so far, once every connection made so far has been closed by the client.</summary>
    public async Task<string> ReceivedAsync()
    {
        await _stop.CancelAsync();
        await _accepting;
        lock (_received)
        {
            return _received.ToString();
        }
    }

    private async Task AcceptAsync()
    {
        var connections = new System.Collections.Generic.List<Task>();
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                connections.Add(ServeAsync(socket));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            byte[] buffer = new byte[8192];
            var seen = new StringBuilder();
            bool answered = false;
            using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None, idle.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    string text = Encoding.ASCII.GetString(buffer, 0, n);
                    seen.Append(text);
                    lock (_received)
                    {
                        _received.Append(text);
                    }

                    if (!answered && seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        answered = true;
                        await socket.SendAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None);
                        socket.Shutdown(SocketShutdown.Send);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // Reset by the client, or silent for 10 s: what arrived is recorded.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
