using System;
using System.Collections.Generic;
using System.Threading;
using Peddler.Internal;

namespace Peddler.Core;

/// <summary>
/// The run-time carriers of a <c>{CarrierId}</c> client: their <see cref="CarrierClient"/>s in a
/// <see cref="CarrierTable"/>, created on first use, at most <see cref="PeddlerClientOptions.MaxCarriers"/>,
/// evicted when idle for <see cref="PeddlerClientOptions.CarrierIdleTimeout"/> (checked lazily on
/// lookups, at most every quarter of the idle timeout, between 1 s and 1 min).
/// </summary>
internal sealed class CarrierSet(ClientCore core)
{
    private readonly CarrierTable _table = new(core.Clock.NowMilliseconds);
    private long _nextSweep;

    /// <summary>
    /// With the system clock, the cached token of <paramref name="carrierId"/> before its refresh
    /// point, read from its slot without touching its client; <see langword="null"/> otherwise.
    /// </summary>
    public PeddlerAccessToken? TryGetFreshToken(string carrierId)
    {
        if (!core.Clock.IsSystem || carrierId is null)
        {
            return null;
        }

        long now = Environment.TickCount64;
        return now < Volatile.Read(ref _nextSweep) ? _table.TryGetFreshToken(carrierId, now) : null;
    }

    /// <summary>The client of <paramref name="carrierId"/>: the one kept, or a new one.</summary>
    /// <exception cref="ArgumentException"><paramref name="carrierId"/> is not a valid scope token.</exception>
    public CarrierClient Get(string carrierId)
    {
        ArgumentNullException.ThrowIfNull(carrierId);
        long now = core.Clock.NowMilliseconds;
        if (now >= Volatile.Read(ref _nextSweep))
        {
            Sweep(now);
        }

        return _table.TryGetClient(carrierId, now) ?? Add(carrierId, now);
    }

    /// <summary>The carriers kept now (a snapshot), used or idle.</summary>
    public List<CarrierClient> All() => _table.Clients();

    /// <summary>The carriers used within the idle timeout (a snapshot).</summary>
    public List<CarrierClient> Active()
    {
        long now = core.Clock.NowMilliseconds;
        long idle = IdleMilliseconds;
        return _table.Clients((_, lastUse) => now - lastUse <= idle);
    }

    /// <summary>Copies <paramref name="carrier"/>'s entry into its slot.</summary>
    public void Publish(CarrierClient carrier) => _table.Publish(carrier, core.Clock.IsSystem);

    private long IdleMilliseconds => (long)core.Generation.Settings.CarrierIdleTimeout.TotalMilliseconds;

    private CarrierClient Add(string carrierId, long now)
    {
        if (!PeddlerScopes.IsScopeToken(carrierId))
        {
            throw new ArgumentException(
                $"{core.Descriptor.ClientName}: the carrier id '{carrierId}' is not a valid scope token (printable ASCII without spaces, quotes or backslashes).",
                nameof(carrierId));
        }

        int capacity = core.Generation.Settings.MaxCarriers;
        return _table.GetOrAdd(
            carrierId,
            now,
            capacity,
            id => new CarrierClient(core, this, id),
            () => _table.Evict(IdlePredicate(now), capacity));
    }

    private void Sweep(long now)
    {
        Volatile.Write(ref _nextSweep, now + Math.Clamp(IdleMilliseconds / 4, 1000, 60_000));
        _table.Evict(IdlePredicate(now), capacity: 0);
    }

    private Func<CarrierClient, long, bool> IdlePredicate(long now)
    {
        long idle = IdleMilliseconds;
        return (_, lastUse) => now - lastUse > idle;
    }
}
