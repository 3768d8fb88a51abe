using System;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Core;

/// <summary>
/// One run-time carrier's token client (<see cref="PeddlerTokenProvider.ForCarrier"/>): its own
/// token cache, with the client's settings and the carrier filled in (derived again when the
/// client's options change), and the client's refusals of its credentials honoured — a refusal of
/// the client id or secret seen by any carrier holds every carrier back; a refused carrier id
/// holds back only this one. Its slot in the <see cref="CarrierTable"/> mirrors its entry.
/// </summary>
internal sealed class CarrierClient : TokenCache, IPeddlerTokenClient
{
    private readonly CarrierSet _set;
    private SettingsGeneration _generation;
    private long _lastUse;

    public CarrierClient(ClientCore core, CarrierSet set, string carrierId)
        : base(core)
    {
        _set = set;
        CarrierId = carrierId;
        _generation = core.Generation.ForCarrier(carrierId);
        _lastUse = core.Clock.NowMilliseconds;
    }

    public string CarrierId { get; }

    /// <summary>Its slot in the client's <see cref="CarrierTable"/>, or -1 once evicted; set by the table under its lock.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>When it was last asked for a token (<see cref="MonotonicClock.NowMilliseconds"/>), at most a second stale.</summary>
    public long LastUseTickCount => Volatile.Read(ref _lastUse);

    /// <inheritdoc />
    public override SettingsGeneration Generation
    {
        get
        {
            SettingsGeneration mine = Volatile.Read(ref _generation);
            SettingsGeneration root = Core.Generation;
            if (ReferenceEquals(mine.Root, root))
            {
                return mine;
            }

            // Races are harmless: an older derivation written last is derived again on the next read.
            SettingsGeneration derived = root.ForCarrier(CarrierId);
            Volatile.Write(ref _generation, derived);
            return derived;
        }
    }

    /// <inheritdoc />
    protected override string ClientRefusalAdvice => "Fix the client id or secret (every carrier of the client waits out this window)";

    /// <inheritdoc />
    public ValueTask<PeddlerAccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        // A carrier in use is not idle, whether it is looked up each time or held.
        long now = Clock.NowMilliseconds;
        if (now - Volatile.Read(ref _lastUse) >= 1000)
        {
            Volatile.Write(ref _lastUse, now);
        }

        return GetAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void InvalidateToken(PeddlerAccessToken? rejectedToken = null) => Reject(rejectedToken);

    /// <inheritdoc />
    protected override bool IsRefused(long now, SettingsGeneration generation, out FailureGate.Refusal refusal) =>
        base.IsRefused(now, generation, out refusal) || Core.ClientRefusals.IsRefused(now, generation.Root!, out refusal);

    /// <inheritdoc />
    protected override TimeSpan RememberRefusal(PeddlerAuthenticationException refused, SettingsGeneration generation, long now)
    {
        if (!refused.RefusesClient)
        {
            return base.RememberRefusal(refused, generation, now);
        }

        // The client's credentials: remembered for the whole client, unless its options changed meanwhile.
        Failures.Failed(refused);
        return ReferenceEquals(generation.Root, Core.Generation) ? Core.ClientRefusals.Refuse(refused, generation.Root!, now, Clock) : TimeSpan.Zero;
    }

    /// <inheritdoc />
    protected override void EntryChanged(bool acquired)
    {
        if (acquired && Core.ClientRefusals.HasRefusal)
        {
            // A token for one carrier: the client's credentials are good again.
            Core.ClientRefusals.ResetRefusal();
        }

        _set.Publish(this);
    }
}
