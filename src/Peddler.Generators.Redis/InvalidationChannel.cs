using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// The invalidation channel: the fingerprints of refused tokens, published on
/// <c>{prefix}invalidated:{client name}</c> and received by every instance of the client over Redis
/// pub/sub. A subscription is made again when the connection is restored, and ends when disposed.
/// </summary>
internal sealed class InvalidationChannel
{
    private readonly RedisConnection _connection;
    private readonly PeddlerRedisTokenCacheOptions _options;
    private readonly RedisOutage _outage;
    private readonly ILogger _logger;

    public InvalidationChannel(RedisConnection connection, PeddlerRedisTokenCacheOptions options, RedisOutage outage, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _outage = outage;
        _logger = logger;
    }

    /// <summary>Tells the other instances that <paramref name="fingerprint"/> was refused (logged when Redis took it).</summary>
    public async Task PublishAsync(IDatabase db, string clientName, string fingerprint, CancellationToken cancellationToken)
    {
        long? receivers = await _outage.TryValueAsync(db.Multiplexer.GetSubscriber().PublishAsync(Channel(clientName), fingerprint), cancellationToken).ConfigureAwait(false);
        if (receivers is not null)
        {
            RedisTokenCacheLog.SharedTokenInvalidated(_logger, fingerprint);
        }
    }

    /// <summary>Calls <paramref name="received"/> with each fingerprint published for <paramref name="clientName"/> until disposed.</summary>
    public IDisposable Subscribe(string clientName, Action<string> received)
    {
        var subscription = new Subscription(_connection, Channel(clientName), received);
        subscription.Start();
        return subscription;
    }

    private RedisChannel Channel(string clientName) => RedisChannel.Literal(_options.KeyPrefix + "invalidated:" + clientName);

    /// <summary>A pub/sub subscription that is (re)made when Redis is (re)connected.</summary>
    private sealed class Subscription(RedisConnection connection, RedisChannel channel, Action<string> received) : IDisposable
    {
        private readonly Action<ChannelMessage> _handler = message => received(message.Message.ToString());
        private ChannelMessageQueue? _queue;
        private int _disposed;

        public void Start()
        {
            connection.Restored += Resubscribe;
            _ = SubscribeAsync();
        }

        private void Resubscribe()
        {
            if (Volatile.Read(ref _queue) is null)
            {
                _ = SubscribeAsync();
            }
        }

        private async Task SubscribeAsync()
        {
            try
            {
                IConnectionMultiplexer? multiplexer = await connection.ConnectAsync().ConfigureAwait(false);
                if (multiplexer is null || Volatile.Read(ref _disposed) == 1)
                {
                    return;
                }

                ChannelMessageQueue queue = await multiplexer.GetSubscriber().SubscribeAsync(channel).ConfigureAwait(false);
                queue.OnMessage(_handler);
                if (Interlocked.CompareExchange(ref _queue, queue, null) is not null || Volatile.Read(ref _disposed) == 1)
                {
                    await queue.UnsubscribeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Made again when the connection is restored.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                connection.Restored -= Resubscribe;
                _ = Interlocked.Exchange(ref _queue, null)?.UnsubscribeAsync();
            }
        }
    }
}
