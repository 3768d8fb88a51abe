using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Redis.Tests;

/// <summary>Socket plumbing shared by the test servers (<see cref="FaultyRelay"/>, <see cref="HostileRedis"/>).</summary>
internal static class Sockets
{
    /// <summary>Accepts connections on <paramref name="listener"/> and hands each to <paramref name="accepted"/> until <paramref name="stopping"/> is cancelled or the listener stops.</summary>
    public static async Task AcceptEachAsync(TcpListener listener, Action<Socket> accepted, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            accepted(socket);
        }
    }
}
