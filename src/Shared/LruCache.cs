// Shared by the runtime library and the fleet package (linked into each): one bounded
// least-recently-used cache for derived key material.
using System;
using System.Collections.Generic;

namespace Peddler.Internal
{
    /// <summary>
    /// A thread-safe map of at most <c>capacity</c> entries that evicts the least recently used one
    /// when full: never cleared whole, so a working set up to the capacity always stays cached.
    /// </summary>
    /// <remarks>One lock around a dictionary and a linked list: the values it holds are costly to
    /// make (a key derivation) and cheap to look up, so the lock is held for nanoseconds.</remarks>
    internal sealed class LruCache<TKey, TValue>
        where TKey : notnull
    {
        private readonly int _capacity;
        private readonly Dictionary<TKey, LinkedListNode<KeyValuePair<TKey, TValue>>> _map;
        private readonly LinkedList<KeyValuePair<TKey, TValue>> _order = new();

        public LruCache(int capacity, IEqualityComparer<TKey>? comparer = null)
        {
            if (capacity < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The capacity must be positive.");
            }

            _capacity = capacity;
            _map = new Dictionary<TKey, LinkedListNode<KeyValuePair<TKey, TValue>>>(comparer);
        }

        /// <summary>How many entries are kept now.</summary>
        public int Count
        {
            get
            {
                lock (_order)
                {
                    return _map.Count;
                }
            }
        }

        /// <summary>
        /// The value of <paramref name="key"/>, made with <paramref name="create"/> (outside the lock)
        /// when absent. Two callers that miss at once may both create; the first stored wins and both
        /// get it.
        /// </summary>
        public TValue GetOrAdd<TState>(TKey key, TState state, Func<TKey, TState, TValue> create)
        {
            if (TryGet(key, out TValue found))
            {
                return found;
            }

            TValue created = create(key, state);
            lock (_order)
            {
                if (_map.TryGetValue(key, out var node))
                {
                    Touch(node);
                    return node.Value.Value;
                }

                if (_map.Count >= _capacity)
                {
                    var oldest = _order.Last!;
                    _order.RemoveLast();
                    _map.Remove(oldest.Value.Key);
                }

                _map[key] = _order.AddFirst(new KeyValuePair<TKey, TValue>(key, created));
                return created;
            }
        }

        /// <summary>Looks <paramref name="key"/> up and marks it most recently used.</summary>
        public bool TryGet(TKey key, out TValue value)
        {
            lock (_order)
            {
                if (_map.TryGetValue(key, out var node))
                {
                    Touch(node);
                    value = node.Value.Value;
                    return true;
                }
            }

            value = default!;
            return false;
        }

        private void Touch(LinkedListNode<KeyValuePair<TKey, TValue>> node)
        {
            if (node != _order.First)
            {
                _order.Remove(node);
                _order.AddFirst(node);
            }
        }
    }
}
