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

    /// <summary>Removes every queued fault: the next requests are answered normally.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _pending = 0;
        }
    }

    /// <summary>Takes the fault for one request, or <see langword="null"/> when none is queued.</summary>
    internal PeddlerFault? TryTake()
    {
        lock (_gate)
        {
            if (!_entries.TryPeek(out Entry? head))
            {
                return null;
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

    private sealed class Entry(PeddlerFault fault, int remaining)
    {
        public PeddlerFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
