using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// Outage tracking: when Redis counts as unavailable, when it is tried again, and the two log lines
/// (<c>SharedCacheUnavailable</c> once per outage, <c>SharedCacheResumed</c> when it ends). Every
/// Redis call of the fleet cache goes through <see cref="TryAsync{T}"/>, bounded by
/// <see cref="PeddlerRedisTokenCacheOptions.OperationTimeout"/>.
/// </summary>
internal sealed class RedisOutage
{
    private readonly RedisConnection _connection;
    private readonly PeddlerRedisTokenCacheOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private long _skipUntil;
    private long _failures;
    private int _unavailable;

    /// <param name="connection">The connection whose restoration ends the pause at once.</param>
    /// <param name="options">The operation and connect timeouts, and <see cref="PeddlerRedisTokenCacheOptions.RetryStoreAfter"/>.</param>
    /// <param name="logger">Where the outage is reported.</param>
    /// <param name="clock">The monotonic clock of the pause (<see cref="TimeProvider.System"/>: not the client's, which tests may freeze).</param>
    public RedisOutage(RedisConnection connection, PeddlerRedisTokenCacheOptions options, ILogger logger, TimeProvider clock)
    {
        _connection = connection;
        _options = options;
        _logger = logger;
        _clock = clock;
        _connection.Restored += () => Volatile.Write(ref _skipUntil, 0);
    }

    /// <summary>False from a failed Redis command until a whole exchange succeeds again (the outage the log reports once).</summary>
    public bool IsAvailable => Volatile.Read(ref _unavailable) == 0;

    /// <summary>How many Redis failures were seen so far: taken at the start of an exchange, for <see cref="MarkAvailable"/>.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Whether Redis is skipped now: within <see cref="PeddlerRedisTokenCacheOptions.RetryStoreAfter"/> of its last failure (and not reconnected since).</summary>
    public bool IsPaused => Now < Volatile.Read(ref _skipUntil);

    /// <summary>Whether an exchange under way gives up on Redis: it is unavailable and still paused.</summary>
    public bool IsDown => Volatile.Read(ref _unavailable) == 1 && IsPaused;

    // Milliseconds of the monotonic clock.
    private long Now => (long)(_clock.GetTimestamp() * (1000.0 / _clock.TimestampFrequency));

    /// <summary>Redis if it is usable now; <see langword="null"/> while it is paused or not connected.</summary>
    public async Task<IDatabase?> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        if (IsPaused)
        {
            return null;
        }

        IConnectionMultiplexer? multiplexer = await _connection.GetConnectedAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (multiplexer is null)
        {
            MarkUnavailable("not connected");
            return null;
        }

        return multiplexer.GetDatabase();
    }

    /// <summary>Runs a Redis operation with the operation timeout: its reply, or <see langword="null"/> when it failed (the failure is counted).</summary>
    public async Task<T?> TryAsync<T>(Task<T> operation, CancellationToken cancellationToken)
        where T : class? =>
        await TryAsync((Task)operation, cancellationToken).ConfigureAwait(false) ? await operation.ConfigureAwait(false) : null;

    /// <summary>As <see cref="TryAsync{T}"/>, for a value reply.</summary>
    public async Task<T?> TryValueAsync<T>(Task<T> operation, CancellationToken cancellationToken)
        where T : struct =>
        await TryAsync((Task)operation, cancellationToken).ConfigureAwait(false) ? await operation.ConfigureAwait(false) : null;

    /// <summary>Runs an operation with the operation timeout: <see langword="false"/> when it failed (the failure is counted).</summary>
    public async Task<bool> TryAsync(Task operation, CancellationToken cancellationToken)
    {
        try
        {
            await operation.WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            MarkUnavailable(ex);
            return false;
        }
    }

    /// <summary>A failure of the store, not the caller's own cancellation.</summary>
    public static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken) =>
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    public void MarkUnavailable(Exception ex) =>
        MarkUnavailable(ex is TimeoutException or RedisTimeoutException ? "timeout" : ex.GetType().Name);

    /// <summary>Counts a failure, pauses Redis for <see cref="PeddlerRedisTokenCacheOptions.RetryStoreAfter"/>, and warns once per outage.</summary>
    public void MarkUnavailable(string reason)
    {
        Interlocked.Increment(ref _failures);
        Volatile.Write(ref _skipUntil, Now + (long)_options.RetryStoreAfter.TotalMilliseconds);
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            RedisTokenCacheLog.SharedCacheUnavailable(_logger, reason);
        }
    }

    /// <summary>
    /// Ends an outage only when a whole exchange (read, lock, request, write, release) went without a
    /// failure since <paramref name="failuresBefore"/>: a server that answers some commands and refuses
    /// others (no scripts, out of memory) is one outage with one warning, not a warning per call.
    /// </summary>
    public void MarkAvailable(long failuresBefore)
    {
        if (Interlocked.Read(ref _failures) == failuresBefore && Volatile.Read(ref _unavailable) == 1 && Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            RedisTokenCacheLog.SharedCacheResumed(_logger);
        }
    }
}
