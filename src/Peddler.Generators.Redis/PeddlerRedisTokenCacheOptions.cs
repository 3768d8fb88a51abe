using System;

namespace Peddler.Redis;

/// <summary>
/// Settings of a client's fleet-wide token cache (<c>AddDistributedTokenCache</c>): where Redis is,
/// how long the cross-instance lock lasts, how long instances wait for each other, and how quickly
/// the cache gives up on a Redis that is down or slow.
/// </summary>
public sealed class PeddlerRedisTokenCacheOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, e.g. <c>redis.internal:6379,password=…</c>.
    /// Required. The cache sets its own short timeouts (<see cref="ConnectTimeout"/>,
    /// <see cref="OperationTimeout"/>) and <c>abortConnect=false</c> unless the string sets them.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>The prefix of every Redis key and channel the cache uses. Default <c>peddler:</c>.</summary>
    public string KeyPrefix { get; set; } = "peddler:";

    /// <summary>
    /// Store tokens in the app's registered <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// (SQL Server, Postgres, …) instead of Redis; the lock and invalidations still use Redis.
    /// Default <see langword="false"/>: tokens are stored in Redis through <c>RedisCache</c>.
    /// </summary>
    public bool UseRegisteredDistributedCache { get; set; }

    /// <summary>
    /// How long the instance that requests a token holds the fleet's lock before it expires on its
    /// own (it is extended while the request runs): the longest an instance that died mid-request
    /// blocks the others. Default 10 s.
    /// </summary>
    public TimeSpan LockLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an instance waits for another instance's token before it requests its own.
    /// Default 15 s.
    /// </summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a waiting instance looks for the shared token (and for a free lock). Default 50 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest the first connection to Redis may take before tokens are requested without it. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest one Redis operation may take before it counts as a failure. Default 1 s.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a Redis failure, how long the cache goes straight to the token endpoint before it tries
    /// Redis again (a reconnection ends it sooner). Default 5 s.
    /// </summary>
    public TimeSpan RetryStoreAfter { get; set; } = TimeSpan.FromSeconds(5);
}
