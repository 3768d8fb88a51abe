using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// One lazily opened connection to Redis with short timeouts and <c>abortConnect=false</c>: it never
/// throws for an unreachable server, keeps reconnecting in the background, and reports whether it
/// is connected now.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly object _gate = new();
    private Task<IConnectionMultiplexer?>? _connecting;
    private long _startedAt;

    public RedisConnection(string configuration, TimeSpan connectTimeout, TimeSpan operationTimeout)
    {
        _configuration = ConfigurationOptions.Parse(configuration);
        bool Has(string key) => configuration.Contains(key + "=", StringComparison.OrdinalIgnoreCase);
        if (!Has("abortConnect"))
        {
            _configuration.AbortOnConnectFail = false;
        }

        if (!Has("connectTimeout"))
        {
            _configuration.ConnectTimeout = Milliseconds(connectTimeout);
        }

        if (!Has("syncTimeout"))
        {
            _configuration.SyncTimeout = Milliseconds(operationTimeout);
        }

        if (!Has("asyncTimeout"))
        {
            _configuration.AsyncTimeout = Milliseconds(operationTimeout);
        }

        if (!Has("connectRetry"))
        {
            _configuration.ConnectRetry = 1;
        }

        // Reconnect attempts every second at most, so sharing resumes soon after Redis returns.
        _configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        _configuration.ClientName ??= "peddler-token-cache";
    }

    /// <summary>Raised when the connection is restored after a failure.</summary>
    public event Action? Restored;

    /// <summary>Starts connecting (once); completes with the multiplexer, connected or not, or <see langword="null"/> if it could not be created.</summary>
    public Task<IConnectionMultiplexer?> ConnectAsync()
    {
        lock (_gate)
        {
            if (_connecting is null)
            {
                _startedAt = Environment.TickCount64;
                _connecting = CreateAsync();
            }

            return _connecting;
        }
    }

    /// <summary>
    /// The multiplexer if it is connected now. While the first connection is under way (for at most
    /// <paramref name="firstConnection"/> from its start) waits for it; afterwards never waits.
    /// </summary>
    public async Task<IConnectionMultiplexer?> GetConnectedAsync(TimeSpan firstConnection, CancellationToken cancellationToken)
    {
        Task<IConnectionMultiplexer?> connecting = ConnectAsync();
        long deadline = Volatile.Read(ref _startedAt) + (long)firstConnection.TotalMilliseconds;
        if (!connecting.IsCompleted)
        {
            try
            {
                await connecting.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }

        IConnectionMultiplexer? multiplexer = await connecting.ConfigureAwait(false);

        // The first attempt may fail on a busy machine; the next ones follow within the same window.
        while (multiplexer is { IsConnected: false } && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        return multiplexer is { IsConnected: true } ? multiplexer : null;
    }

    /// <summary>Waits until the connection is up (for tools and tests that start a fleet); <see langword="false"/> after <paramref name="timeout"/>.</summary>
    public async Task<bool> WhenConnectedAsync(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        IConnectionMultiplexer? multiplexer = await ConnectAsync().ConfigureAwait(false);
        while (multiplexer is { IsConnected: false } && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        return multiplexer is { IsConnected: true };
    }

    private async Task<IConnectionMultiplexer?> CreateAsync()
    {
        try
        {
            ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration).ConfigureAwait(false);
            multiplexer.ConnectionRestored += (_, _) => Restored?.Invoke();
            return multiplexer;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static int Milliseconds(TimeSpan value) =>
        checked((int)Math.Max(1, Math.Round(value.TotalMilliseconds, MidpointRounding.AwayFromZero)));

    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer?>? connecting;
        lock (_gate)
        {
            connecting = _connecting;
        }

        if (connecting is not null && await connecting.ConfigureAwait(false) is { } multiplexer)
        {
            await multiplexer.CloseAsync().ConfigureAwait(false);
            multiplexer.Dispose();
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Redis {_configuration.EndPoints.Count} endpoint(s)");
}
