using System;
using Microsoft.Extensions.Logging;

namespace Peddler.Redis;

/// <summary>The fleet cache's log messages (category <c>Peddler.Redis.{ClientName}</c>). Tokens appear only as fingerprints.</summary>
internal static partial class RedisTokenCacheLog
{
    public const string CategoryPrefix = "Peddler.Redis.";

    [LoggerMessage(EventId = 100, EventName = "SharedCacheUnavailable", Level = LogLevel.Warning,
        Message = "The shared token cache is unavailable ({Reason}); tokens are requested from the token endpoint directly until it returns")]
    public static partial void SharedCacheUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 101, EventName = "SharedCacheResumed", Level = LogLevel.Information,
        Message = "The shared token cache is available again; tokens are shared")]
    public static partial void SharedCacheResumed(ILogger logger);

    [LoggerMessage(EventId = 102, EventName = "SharedTokenUsed", Level = LogLevel.Debug,
        Message = "Using the shared token {Fingerprint}, expires {ExpiresAt:O}")]
    public static partial void SharedTokenUsed(ILogger logger, string fingerprint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 103, EventName = "SharedTokenStored", Level = LogLevel.Debug,
        Message = "Shared the token {Fingerprint}, expires {ExpiresAt:O}")]
    public static partial void SharedTokenStored(ILogger logger, string fingerprint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 104, EventName = "FleetLockAcquired", Level = LogLevel.Debug,
        Message = "This instance requests the token for the fleet (lock lease {Lease})")]
    public static partial void FleetLockAcquired(ILogger logger, TimeSpan lease);

    [LoggerMessage(EventId = 105, EventName = "FleetWaitTimedOut", Level = LogLevel.Warning,
        Message = "No shared token after waiting {Waited}; requesting one directly")]
    public static partial void FleetWaitTimedOut(ILogger logger, TimeSpan waited);

    [LoggerMessage(EventId = 106, EventName = "SharedTokenUnreadable", Level = LogLevel.Debug,
        Message = "The shared entry could not be opened (another secret, or tampered with); treated as a miss")]
    public static partial void SharedTokenUnreadable(ILogger logger);

    [LoggerMessage(EventId = 107, EventName = "SharedTokenInvalidated", Level = LogLevel.Information,
        Message = "Invalidated the token {Fingerprint} fleet-wide")]
    public static partial void SharedTokenInvalidated(ILogger logger, string fingerprint);

    // EventId 108 (NoClientSecret, 0.1.0) is retired: settings always carry a secret, and every key comes from them.
}
