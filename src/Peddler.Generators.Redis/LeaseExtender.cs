using System;
using System.Collections.Generic;
using System.Threading;
using StackExchange.Redis;

namespace Peddler.Redis;

/// <summary>
/// Extends the leases of the locks this instance holds while their token requests run: one timer
/// per cache (not one per carrier) extends every held lock each <see cref="PeddlerRedisTokenCacheOptions.LockLease"/> / 3,
/// so a lock is extended at most a third of its lease after it was taken, and again every third.
/// The timer runs only while locks are held.
/// </summary>
internal sealed class LeaseExtender
{
    private readonly FleetLock _locks;
    private readonly TimeSpan _period;
    private readonly TimeProvider _timerProvider;
    private readonly HashSet<HeldLock> _held = [];
    private ITimer? _timer;

    public LeaseExtender(FleetLock locks, TimeSpan period, TimeProvider timerProvider)
    {
        _locks = locks;
        _period = period;
        _timerProvider = timerProvider;
    }

    public HeldLock Hold(HeldLock held)
    {
        lock (_held)
        {
            _held.Add(held);
            if (_held.Count == 1)
            {
                if (_timer is null)
                {
                    _timer = _timerProvider.CreateTimer(static state => ((LeaseExtender)state!).ExtendAll(), this, _period, _period);
                }
                else
                {
                    _timer.Change(_period, _period);
                }
            }
        }

        return held;
    }

    public void Unhold(HeldLock held)
    {
        lock (_held)
        {
            if (_held.Remove(held) && _held.Count == 0)
            {
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void ExtendAll()
    {
        HeldLock[] held;
        lock (_held)
        {
            if (_held.Count == 0)
            {
                return;
            }

            held = [.. _held];
        }

        foreach (HeldLock h in held)
        {
            _locks.Extend(h);
        }
    }
}

/// <summary>A lock this instance holds (reference identity: one per acquisition); extended until disposed.</summary>
internal sealed class HeldLock(LeaseExtender extender, IDatabase db, RedisKey key, string owner) : IDisposable
{
    public IDatabase Db { get; } = db;

    public RedisKey Key { get; } = key;

    public string Owner { get; } = owner;

    /// <summary>Stops extending the lock (it is not released: that is the protocol's write or release). Idempotent.</summary>
    public void Dispose() => extender.Unhold(this);
}
