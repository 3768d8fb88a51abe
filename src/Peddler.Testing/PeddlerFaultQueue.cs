using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace Peddler.Testing;

/// <summary>
/// The faults waiting for the next requests of one endpoint. Each request takes the fault at the
/// head of the queue, if any. Thread-safe.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a first-in, first-out queue of faults; the name says so.")]
public sealed class PeddlerFaultQueue
{
    private readonly object _gate = new();
    private readonly Queue<Entry> _entries = new();
    private int _pending;
    private Random? _random;
    private (PeddlerFault Fault, double Probability)[] _randomFaults = [];

    internal PeddlerFaultQueue()
    {
    }

    /// <summary>How many upcoming requests will still be faulted.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="count"/> requests, after the faults already queued.</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="count">How many requests it applies to; at least 1.</param>
    public void Enqueue(PeddlerFault fault, int count = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            int pending = checked(_pending + count);
            _entries.Enqueue(new Entry(fault, count));
            _pending = pending;
        }
    }

    /// <summary>
    /// From now on, each request that finds no queued fault draws one at random: the first of
    /// <paramref name="faults"/> with probability <c>Probability</c>, else the second with its own,
    /// and so on; nothing (a normal answer) with the rest. The draws are deterministic for a
    /// <paramref name="seed"/>. <see cref="Clear"/> ends it. Used for soak runs, e.g.
    /// 10 % <c>Status(503)</c> and 1 % <c>DropConnection()</c>.
    /// </summary>
    /// <param name="seed">The seed of the draws.</param>
    /// <param name="faults">Each fault with its probability (0 to 1; the sum at most 1).</param>
    public void SetRandom(int seed, params (PeddlerFault Fault, double Probability)[] faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        double sum = 0;
        foreach ((PeddlerFault fault, double probability) in faults)
        {
            ArgumentNullException.ThrowIfNull(fault, nameof(faults));
            if (probability is < 0 or > 1 || double.IsNaN(probability))
            {
                throw new ArgumentOutOfRangeException(nameof(faults), probability, "Each probability is between 0 and 1.");
            }

            sum += probability;
        }

        if (sum > 1 + 1e-9)
        {
            throw new ArgumentOutOfRangeException(nameof(faults), sum, "The probabilities add up to more than 1.");
        }

        lock (_gate)
        {
            _random = new Random(seed);
            _randomFaults = ((PeddlerFault, double)[])faults.Clone();
        }
    }

    /// <summary>Removes every queued fault and ends random faults: the next requests are answered normally.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _pending = 0;
            _random = null;
            _randomFaults = [];
        }
    }

    /// <summary>Takes the fault for one request, or <see langword="null"/> when none is queued.</summary>
    internal PeddlerFault? TryTake()
    {
        lock (_gate)
        {
            if (!_entries.TryPeek(out Entry? head))
            {
                return DrawRandom();
            }

            head.Remaining--;
            _pending--;
            if (head.Remaining == 0)
            {
                _entries.Dequeue();
            }

            return head.Fault;
        }
    }

    private PeddlerFault? DrawRandom()
    {
        if (_random is null)
        {
            return null;
        }

        double draw = _random.NextDouble();
        foreach ((PeddlerFault fault, double probability) in _randomFaults)
        {
            if (draw < probability)
            {
                return fault;
            }

            draw -= probability;
        }

        return null;
    }

    private sealed class Entry(PeddlerFault fault, int remaining)
    {
        public PeddlerFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
