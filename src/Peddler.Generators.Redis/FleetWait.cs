using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Peddler.Redis;

/// <summary>
/// How long an instance waits for the lock's holder to share a token: polls every
/// <see cref="PeddlerRedisTokenCacheOptions.PollInterval"/>, and gives up (logged once) after
/// <see cref="PeddlerRedisTokenCacheOptions.WaitTimeout"/>.
/// </summary>
internal readonly struct FleetWait(PeddlerRedisTokenCacheOptions options, ILogger logger)
{
    private readonly long _started = Environment.TickCount64;

    /// <summary>Whether the wait is over (logged as <c>FleetWaitTimedOut</c>): the caller then requests its own token.</summary>
    public bool TimedOut()
    {
        TimeSpan waited = TimeSpan.FromMilliseconds(Environment.TickCount64 - _started);
        if (waited < options.WaitTimeout)
        {
            return false;
        }

        RedisTokenCacheLog.FleetWaitTimedOut(logger, waited);
        return true;
    }

    public Task PollAsync(CancellationToken cancellationToken) => Task.Delay(options.PollInterval, cancellationToken);
}
