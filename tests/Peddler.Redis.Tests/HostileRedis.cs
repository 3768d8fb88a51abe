using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Redis.Tests;

/// <summary>
/// A tiny RESP responder on 127.0.0.1 that stands for a hostile or misconfigured Redis. It parses
/// each command a client sends and answers as <see cref="Kind"/> says:
/// <list type="bullet">
/// <item><c>noauth</c>: every command, the handshake included, gets <c>-NOAUTH Authentication required.</c>
/// (a server whose password is not the one configured).</item>
/// <item><c>no-eval</c>: a plausible, empty Redis 7 (handshake, reads that miss, writes that succeed,
/// the lock taken), but <c>EVAL</c>/<c>EVALSHA</c>/<c>SCRIPT</c> are unknown commands (Garnet without
/// <c>--lua</c>, or an ACL that forbids scripts): the lock can be taken but never released or extended.</item>
/// <item><c>oom</c>: the same Redis, but every write is refused with <c>-OOM</c> (maxmemory reached, noeviction).</item>
/// <item><c>garbage</c>: every command gets bytes that are not RESP at all.</item>
/// </list>
/// Nothing is stored. Bytes are read and written as Latin-1 (one char per byte), so binary arguments
/// (the client's tracer, encrypted entries) come back intact. Every byte received is kept, so a test can check what a client revealed to it.
/// </summary>
internal sealed class HostileRedis : IAsyncDisposable
{
    private static readonly HashSet<string> s_writes = new(StringComparer.OrdinalIgnoreCase)
    {
        "SET", "HSET", "HMSET", "EXPIRE", "PEXPIRE", "EVAL", "EVALSHA", "SETEX", "PSETEX", "GETEX",
    };

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<Socket> _sockets = new();
    private readonly Task _accepting;
    private readonly MemoryStream _received = new();
    private readonly ConcurrentQueue<string> _commands = new();

    public HostileRedis(string kind)
    {
        Kind = kind;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Kind { get; }

    /// <summary>The StackExchange.Redis configuration string of the responder (without a password).</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The names of the commands received, in order.</summary>
    public IReadOnlyCollection<string> Commands => _commands.ToArray();

    /// <summary>Every byte received from every client.</summary>
    public byte[] Received()
    {
        lock (_received)
        {
            return _received.ToArray();
        }
    }

    private Task AcceptAsync() => Sockets.AcceptEachAsync(_listener, socket =>
    {
        _sockets.Enqueue(socket);
        _ = ServeAsync(socket);
    }, _stopping.Token);

    private async Task ServeAsync(Socket socket)
    {
        var pending = new List<byte>();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, _stopping.Token);
                if (read == 0)
                {
                    return;
                }

                lock (_received)
                {
                    _received.Write(buffer, 0, read);
                }

                pending.AddRange(buffer.AsSpan(0, read).ToArray());
                var replies = new StringBuilder();
                while (TryParse(pending, out string[]? command))
                {
                    if (command.Length > 0)
                    {
                        _commands.Enqueue(command[0].ToUpperInvariant());
                        replies.Append(Answer(command));
                    }
                }

                if (replies.Length > 0)
                {
                    await socket.SendAsync(Encoding.Latin1.GetBytes(replies.ToString()), _stopping.Token);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private string Answer(string[] command)
    {
        string name = command[0].ToUpperInvariant();
        string sub = command.Length > 1 ? command[1].ToUpperInvariant() : string.Empty;
        switch (Kind)
        {
            case "noauth":
                return "-NOAUTH Authentication required.\r\n";
            case "garbage":
                return "HTTP/1.1 400 Bad Request\r\n\u0000\u0001\u00ff?x\r\n";
            case "no-eval" when name is "EVAL" or "EVALSHA" or "SCRIPT":
                return "-ERR unknown command '" + command[0] + "', with args beginning with: \r\n";
            case "oom" when s_writes.Contains(name):
                return "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
        }

        return name switch
        {
            "AUTH" or "SELECT" or "SET" or "HMSET" or "WATCH" or "UNWATCH" => "+OK\r\n",
            "PING" => "+PONG\r\n",
            "ECHO" => Bulk(command.Length > 1 ? command[1] : string.Empty),
            "CLIENT" => sub == "ID" ? ":7\r\n" : "+OK\r\n",
            "CONFIG" => "*0\r\n",
            "INFO" => Bulk("# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"),
            "ROLE" => "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n",
            "CLUSTER" => "-ERR This instance has cluster support disabled\r\n",
            "SUBSCRIBE" or "UNSUBSCRIBE" or "PSUBSCRIBE" or "PUNSUBSCRIBE" => Subscriptions(name.ToLowerInvariant(), command),
            "GET" or "GETEX" => "$-1\r\n",
            "HMGET" => "*" + (command.Length - 2).ToString(CultureInfo.InvariantCulture) + "\r\n" + string.Concat(Repeat("$-1\r\n", command.Length - 2)),
            "HGETALL" => "*0\r\n",
            "HSET" => ":" + ((command.Length - 2) / 2).ToString(CultureInfo.InvariantCulture) + "\r\n",
            "EXPIRE" or "PEXPIRE" or "EVAL" or "EVALSHA" => ":1\r\n",
            "DEL" or "UNLINK" or "EXISTS" or "PUBLISH" => ":0\r\n",
            "SCRIPT" => sub == "LOAD" ? Bulk("0000000000000000000000000000000000000000") : "*0\r\n",
            _ => "-ERR unknown command '" + command[0] + "'\r\n",
        };
    }

    private static IEnumerable<string> Repeat(string value, int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return value;
        }
    }

    private static string Subscriptions(string kind, string[] command)
    {
        var reply = new StringBuilder();
        for (int i = 1; i < command.Length; i++)
        {
            reply.Append("*3\r\n").Append(Bulk(kind)).Append(Bulk(command[i])).Append(':').Append(i.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        return reply.ToString();
    }

    private static string Bulk(string value) =>
        "$" + Encoding.Latin1.GetByteCount(value).ToString(CultureInfo.InvariantCulture) + "\r\n" + value + "\r\n";

    /// <summary>Takes one complete command (an array of bulk strings, as clients send) off <paramref name="pending"/>.</summary>
    internal static bool TryParse(List<byte> pending, out string[] command)
    {
        command = [];
        int position = 0;
        if (!TryLine(pending, ref position, out string? header) || header.Length < 2 || header[0] != '*')
        {
            if (header is not null && (header.Length == 0 || header[0] != '*'))
            {
                // An inline command: one line of words.
                command = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                pending.RemoveRange(0, position);
                return true;
            }

            return false;
        }

        int count = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
        var parts = new string[Math.Max(0, count)];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!TryLine(pending, ref position, out string? length) || length.Length < 2 || length[0] != '$')
            {
                return false;
            }

            int size = int.Parse(length.AsSpan(1), CultureInfo.InvariantCulture);
            if (pending.Count < position + size + 2)
            {
                return false;
            }

            parts[i] = Encoding.Latin1.GetString(pending.GetRange(position, size).ToArray());
            position += size + 2;
        }

        pending.RemoveRange(0, position);
        command = parts;
        return true;
    }

    private static bool TryLine(List<byte> pending, ref int position, [NotNullWhen(true)] out string? line)
    {
        for (int i = position; i + 1 < pending.Count; i++)
        {
            if (pending[i] == '\r' && pending[i + 1] == '\n')
            {
                line = Encoding.Latin1.GetString(pending.GetRange(position, i - position).ToArray());
                position = i + 2;
                return true;
            }
        }

        line = null;
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        while (_sockets.TryDequeue(out Socket? socket))
        {
            socket.Dispose();
        }

        _stopping.Dispose();
    }
}
