using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Peddler.Redis.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 between the fleet's instances and a real cache server, with a fault that
/// can be switched while the test runs:
/// <list type="bullet">
/// <item><see cref="Pass"/>: bytes flow both ways as they arrive.</item>
/// <item><see cref="Delay"/>: every chunk the server sends is handed to the client that long after it
/// arrived (in order); requests go through at once. A slow server or a slow network.</item>
/// <item><see cref="Stall"/>: connections stay open (and new ones are accepted), requests reach the
/// server, but no reply reaches a client. No socket error, only silence: a frozen proxy or a broken
/// return route. On the way back to <see cref="Pass"/> the held replies are delivered, in order, as
/// TCP delivers them when such a path heals before the connection gives up.</item>
/// <item><see cref="Reset"/>: every connection is aborted (RST), and so is every new one.</item>
/// </list>
/// </summary>
internal sealed class FaultyRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly Task _accepting;
    private Mode _mode = Mode.Pass;
    private TimeSpan _delay;
    private TaskCompletionSource _changed = NewSignal();
    private readonly ConcurrentQueue<string> _commands = new();
    private int _accepted;

    private FaultyRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    private enum Mode
    {
        Pass,
        Delay,
        Stall,
        Reset,
    }

    /// <summary>The StackExchange.Redis configuration string that reaches the server through the relay.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>How many client connections the relay has accepted.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The names of the commands every client sent through the relay (upper case), in the order each link received them.</summary>
    public IReadOnlyCollection<string> Commands => _commands.ToArray();

    /// <summary>A relay to the cache server's first endpoint (<c>host:port</c>).</summary>
    public static FaultyRelay To(CacheServer server)
    {
        string endpoint = server.Configuration.Split(',')[0];
        int colon = endpoint.LastIndexOf(':');
        string host = endpoint[..colon];
        IPAddress address = host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        return new FaultyRelay(new IPEndPoint(address, int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture)));
    }

    public void Pass() => Switch(Mode.Pass, TimeSpan.Zero);

    public void Delay(TimeSpan delay) => Switch(Mode.Delay, delay);

    public void Stall() => Switch(Mode.Stall, TimeSpan.Zero);

    public void Reset()
    {
        Switch(Mode.Reset, TimeSpan.Zero);
        foreach (Link link in _links.Keys)
        {
            link.Abort();
        }
    }

    private void Switch(Mode mode, TimeSpan delay)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _mode = mode;
            _delay = delay;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private (Mode Mode, TimeSpan Delay, Task Changed) Current()
    {
        lock (_gate)
        {
            return (_mode, _delay, _changed.Task);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task AcceptAsync() => Sockets.AcceptEachAsync(_listener, client =>
    {
        Interlocked.Increment(ref _accepted);
        var link = new Link(this, client);
        _links[link] = 0;
        _ = link.RunAsync();
    }, _stopping.Token);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (Link link in _links.Keys)
        {
            link.Abort();
        }

        _stopping.Dispose();
    }

    /// <summary>One client connection and its connection to the server.</summary>
    private sealed class Link(FaultyRelay relay, Socket client) : IDisposable
    {
        private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly Channel<(byte[] Bytes, long ReceivedAt)> _replies = Channel.CreateUnbounded<(byte[], long)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private readonly TaskCompletionSource _closed = NewSignal();
        private int _aborted;

        public async Task RunAsync()
        {
            try
            {
                client.NoDelay = true;
                if (relay.Current().Mode == Mode.Reset)
                {
                    return;
                }

                await _server.ConnectAsync(relay._target);
                await Task.WhenAll(UntilClosedAsync(RequestsAsync), UntilClosedAsync(ReceiveRepliesAsync), UntilClosedAsync(DeliverRepliesAsync));
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or ChannelClosedException)
            {
            }
            finally
            {
                Abort();
            }
        }

        /// <summary>Runs one direction; when it ends (closed, reset, aborted) the whole link is aborted.</summary>
        private async Task UntilClosedAsync(Func<Task> pump)
        {
            try
            {
                await pump();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or ChannelClosedException)
            {
            }
            finally
            {
                Abort();
            }
        }

        /// <summary>Client to server: always at once (in every mode but Reset); each complete command's name is recorded.</summary>
        private Task RequestsAsync()
        {
            var pending = new List<byte>();
            return ReadEachAsync(client, chunk =>
            {
                pending.AddRange(chunk.Span);
                while (HostileRedis.TryParse(pending, out string[] command))
                {
                    if (command.Length > 0)
                    {
                        relay._commands.Enqueue(command[0].ToUpperInvariant());
                    }
                }

                return _server.SendAsync(chunk);
            });
        }

        /// <summary>Server to relay: every chunk is queued with the time it arrived.</summary>
        private Task ReceiveRepliesAsync() =>
            ReadEachAsync(_server, chunk =>
            {
                _replies.Writer.TryWrite((chunk.ToArray(), Environment.TickCount64));
                return ValueTask.FromResult(chunk.Length);
            });

        /// <summary>Reads <paramref name="from"/> until it closes, handing each chunk to <paramref name="handle"/>.</summary>
        private static async Task ReadEachAsync(Socket from, Func<ReadOnlyMemory<byte>, ValueTask<int>> handle)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                int read = await from.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                await handle(buffer.AsMemory(0, read));
            }
        }

        /// <summary>Relay to client: each queued chunk when the current mode lets it through.</summary>
        private async Task DeliverRepliesAsync()
        {
            await foreach ((byte[] bytes, long receivedAt) in _replies.Reader.ReadAllAsync())
            {
                while (true)
                {
                    (Mode mode, TimeSpan delay, Task changed) = relay.Current();
                    if (_closed.Task.IsCompleted)
                    {
                        return;
                    }

                    if (mode is Mode.Stall or Mode.Reset)
                    {
                        await Task.WhenAny(changed, _closed.Task);
                        continue;
                    }

                    long wait = mode == Mode.Delay ? receivedAt + (long)delay.TotalMilliseconds - Environment.TickCount64 : 0;
                    if (wait > 0)
                    {
                        await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(wait)), changed, _closed.Task);
                        continue;
                    }

                    break;
                }

                await client.SendAsync(bytes);
            }
        }

        public void Dispose() => Abort();

        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) == 1)
            {
                return;
            }

            relay._links.TryRemove(this, out _);
            _replies.Writer.TryComplete();
            _closed.TrySetResult();
            foreach (Socket socket in new[] { client, _server })
            {
                try
                {
                    // RST, not FIN: the peer sees a connection reset, as after a crash or a dropped route.
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
