using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>Outage tracking (<see cref="RedisOutage"/>): when Redis counts as unavailable, when it is tried again, its log lines.</summary>
public sealed class RedisOutageTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly LogSink _logs = new();
    private CacheServer _cache = null!;
    private RedisConnection _connection = null!;
    private RedisOutage _outage = null!;

    public async Task InitializeAsync()
    {
        _cache = await CacheServer.StartSharedAsync();
        PeddlerRedisTokenCacheOptions options = Parts.Options(_cache, o =>
        {
            o.RetryStoreAfter = TimeSpan.FromSeconds(5);
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.ConnectTimeout = TimeSpan.FromSeconds(30);
        });
        _connection = Parts.Connect(options);
        _outage = new RedisOutage(_connection, options, Parts.Logger(_logs), _clock);
    }

    public void Dispose() => _logs.Dispose();

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _cache.DisposeAsync();
    }

    [Fact]
    public async Task A_failure_pauses_Redis_for_RetryStoreAfter_and_warns_once_per_outage()
    {
        Assert.True(_outage.IsAvailable);
        Assert.NotNull(await _outage.GetDatabaseAsync(default));

        _outage.MarkUnavailable(new TimeoutException("fake timeout"));
        _outage.MarkUnavailable("unexpected reply");
        Assert.False(_outage.IsAvailable);
        Assert.True(_outage.IsDown);
        Assert.Null(await _outage.GetDatabaseAsync(default));
        (_, _, _, string message) = Assert.Single(_logs.Entries, e => e.EventName == "SharedCacheUnavailable");
        Assert.Contains("(timeout)", message, StringComparison.Ordinal);

        // Tried again once RetryStoreAfter has passed since the last failure (still unavailable until an exchange succeeds).
        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        Assert.True(_outage.IsPaused);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_outage.IsPaused);
        Assert.False(_outage.IsDown);
        Assert.False(_outage.IsAvailable);
        Assert.NotNull(await _outage.GetDatabaseAsync(default));
    }

    [Fact]
    public void The_outage_ends_only_after_an_exchange_without_a_failure_and_says_so_once()
    {
        long before = _outage.Failures;
        _outage.MarkUnavailable("OOM");
        _outage.MarkAvailable(before); // this exchange had the failure
        Assert.False(_outage.IsAvailable);
        Assert.Equal(0, _logs.Count("SharedCacheResumed"));

        long next = _outage.Failures;
        Assert.Equal(before + 1, next);
        _outage.MarkAvailable(next);
        Assert.True(_outage.IsAvailable);
        _outage.MarkAvailable(next);
        Assert.Equal(1, _logs.Count("SharedCacheResumed"));

        // A new outage is warned about again.
        _outage.MarkUnavailable("OOM");
        Assert.Equal(2, _logs.Count("SharedCacheUnavailable"));
    }

    [Fact]
    public async Task An_operation_that_fails_or_outlives_the_operation_timeout_is_a_failure_the_caller_s_cancellation_is_not()
    {
        Assert.Equal("reply", await _outage.TryAsync(Task.FromResult("reply"), default));
        Assert.Equal(3L, await _outage.TryValueAsync(Task.FromResult(3L), default));
        Assert.True(_outage.IsAvailable);

        Assert.Null(await _outage.TryValueAsync(Task.FromException<long>(new RedisException("fake connection failure")), default));
        Assert.Equal(1, _outage.Failures);
        Assert.False(await _outage.TryAsync(new TaskCompletionSource().Task, default)); // never completes: the timeout
        Assert.Equal(2, _outage.Failures);
        Assert.Null(await _outage.TryAsync(new TaskCompletionSource<string>().Task, default));
        Assert.Equal(3, _outage.Failures);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _outage.TryAsync(new TaskCompletionSource().Task, cancelled.Token));
        Assert.Equal(3, _outage.Failures);
    }
}
